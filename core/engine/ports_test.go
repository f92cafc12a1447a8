package engine

import "switchyard/core/store"

// The workspace implements the engine's ports.
var (
	_ Tx        = (*store.Tx)(nil)
	_ Workspace = store.TxPorts[Tx]{}
)
