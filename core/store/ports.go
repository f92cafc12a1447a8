package store

import (
	"context"
	"fmt"
	"time"
)

// TxPorts is a workspace whose View and Apply hand their callbacks the
// transaction as T: an interface, owned by the package that uses the
// workspace (such as engine.Tx), of the Tx methods it needs. Such a package
// then depends on its own interfaces, not on *Store and *Tx. The other
// methods are the Store's.
type TxPorts[T any] struct{ *Store }

// Ports returns s as a TxPorts[T]. It panics when *Tx does not implement T,
// a programming error that the user's tests catch at once.
func Ports[T any](s *Store) TxPorts[T] {
	if _, ok := any((*Tx)(nil)).(T); !ok {
		var t *T
		panic(fmt.Sprintf("store.Ports: *store.Tx does not implement %T", t))
	}
	return TxPorts[T]{s}
}

// View is Store.View, with the transaction as T.
func (p TxPorts[T]) View(ctx context.Context, fn func(T) error) error {
	return p.Store.View(ctx, func(tx *Tx) error { return fn(any(tx).(T)) })
}

// Apply is Store.Apply, with the transaction as T.
func (p TxPorts[T]) Apply(ctx context.Context, fn func(T) error) error {
	return p.Store.Apply(ctx, func(tx *Tx) error { return fn(any(tx).(T)) })
}

// Now is the workspace's clock: Store.Now, or time.Now when it is nil.
func (p TxPorts[T]) Now() time.Time {
	if p.Store.Now != nil {
		return p.Store.Now()
	}
	return time.Now()
}
