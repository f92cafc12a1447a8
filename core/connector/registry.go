package connector

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"

	"switchyard/core/spec"
)

// ErrUnknown is returned for a connector name that no one registered.
var ErrUnknown = errors.New("unknown connector")

// Registry holds connector declarations by name. The zero value is not usable; call NewRegistry.
type Registry struct {
	mu    sync.RWMutex
	infos map[string]Info
}

// NewRegistry returns an empty registry; tests build their own.
func NewRegistry() *Registry { return &Registry{infos: map[string]Info{}} }

// Default is the registry that connectors join from init().
var Default = NewRegistry()

// Register adds i to the Default registry; it panics on a duplicate or incomplete declaration,
// which is a programming error found at start-up.
func Register(i Info) {
	if err := Default.Add(i); err != nil {
		panic(err)
	}
}

// Add registers i.
func (r *Registry) Add(i Info) error {
	if i.Name == "" || i.New == nil {
		return fmt.Errorf("register connector %q: a name and a constructor are required", i.Name)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, dup := r.infos[i.Name]; dup {
		return fmt.Errorf("register connector %q: already registered", i.Name)
	}
	r.infos[i.Name] = i
	return nil
}

// Lookup returns the declaration of the connector called name.
func (r *Registry) Lookup(name string) (Info, error) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	i, ok := r.infos[name]
	if !ok {
		return Info{}, fmt.Errorf("%w %q: use one of %s", ErrUnknown, name, strings.Join(r.namesLocked(), ", "))
	}
	return i, nil
}

// List returns every declaration, sorted by name.
func (r *Registry) List() []Info {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := make([]Info, 0, len(r.infos))
	for _, n := range r.namesLocked() {
		out = append(out, r.infos[n])
	}
	return out
}

func (r *Registry) namesLocked() []string {
	names := make([]string, 0, len(r.infos))
	for n := range r.infos {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Open validates v against the connector's options, applies the defaults and opens it.
func (r *Registry) Open(ctx context.Context, name string, v spec.Values) (Connector, error) {
	i, err := r.Lookup(name)
	if err != nil {
		return nil, err
	}
	v = i.Options.WithDefaults(v)
	if err := i.Options.Validate(v); err != nil {
		return nil, fmt.Errorf("check %s settings: %w", i.Title, err)
	}
	c, err := i.New(ctx, v)
	if err != nil {
		return nil, fmt.Errorf("open %s connector: %w", i.Title, err)
	}
	return c, nil
}
