package admin

import (
	"context"
	"errors"
	"fmt"

	"switchyard/core/connector"
	"switchyard/core/engine"
	"switchyard/core/mapping"
	"switchyard/core/store"
)

// RunOptions say what Run does; the integration and the connector come from the workspace.
type RunOptions struct {
	Direction    engine.Direction
	Entities     []string
	Preview      bool
	PreviewLimit int
	PageSize     int
	Progress     func(engine.Progress)
	OnRecord     func(engine.RecordResult)
}

// Run imports or exports the integration called name (or previews it) with
// its mapping and cached schema. A preview writes nothing, and works on a
// read-only workspace, where a run is refused (mayWrite). A configuration
// problem comes back as a *ConfigError; the engine's result is returned
// whenever the run started.
func (s *Service) Run(ctx context.Context, name string, o RunOptions) (*engine.Result, error) {
	if !o.Preview {
		if err := s.mayWrite(); err != nil {
			return nil, err
		}
	}
	in, err := s.Store.Integration(ctx, name)
	if err != nil {
		return nil, err
	}
	snap, err := s.Store.Snapshot(ctx, name)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	if !o.Preview { // one run of an integration at a time; a preview writes nothing
		runCtx, unlock, err := s.lockRun(ctx, name)
		if err != nil {
			return nil, err
		}
		defer unlock()
		ctx = runCtx
	}
	return s.runEngine(ctx, in, string(o.Direction), func(ctx context.Context, e *engine.Engine, c connector.Connector) (*engine.Result, error) {
		return e.Run(ctx, c, engine.Options{
			Integration: in, Direction: o.Direction, Catalog: snap.Entities, Entities: o.Entities,
			Preview: o.Preview, PreviewLimit: o.PreviewLimit, PageSize: o.PageSize, Progress: o.Progress, OnRecord: o.OnRecord,
		})
	})
}

// runEngine connects to the system of in and runs fn with an engine on the
// workspace: its clock is the workspace's one clock (Store.Now), and what the
// connection says goes to the run log too. A configuration problem the
// engine finds comes back as a *ConfigError naming what ran ("sync",
// "import", ...) and the integration.
func (s *Service) runEngine(ctx context.Context, in mapping.Integration, what string,
	fn func(ctx context.Context, e *engine.Engine, c connector.Connector) (*engine.Result, error)) (*engine.Result, error) {
	ctx, notes := withNotes(ctx)
	c, err := s.Connect(ctx, in)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	// The engine's clock is the workspace's (Store.Now, through the port).
	res, err := fn(ctx, NewEngine(s.Store), c)
	if res != nil {
		notes.save(ctx, s.Store, res.LogID)
	}
	var ce *engine.ConfigError
	if errors.As(err, &ce) {
		err = configError(fmt.Errorf("%s %q: %w", what, in.Name, err))
	}
	return res, err
}

// lockRun takes the run lock of the integration and, now that no other run of
// it can be going on, closes the log rows of runs that died before their end.
// The run goes on with the context it returns, which ends when the lock is
// lost (store.LockRun): the run then fails with store.ErrLockLost.
func (s *Service) lockRun(ctx context.Context, name string) (context.Context, func(), error) {
	runCtx, unlock, err := s.Store.LockRun(ctx, name)
	if err != nil {
		return nil, nil, err
	}
	if _, err := s.Store.FailInterruptedRuns(ctx, name); err != nil {
		unlock()
		return nil, nil, err
	}
	return runCtx, unlock, nil
}

// NewEngine returns an engine on the workspace st: its rows, sync state and
// upload queue through the store's ports (store.Ports), its clock the
// workspace's (Store.Now). Every run of the app and the commands, and the
// benchmarks, make their engine here.
func NewEngine(st *store.Store) *engine.Engine {
	return &engine.Engine{Workspace: store.Ports[engine.Tx](st)}
}
