// Package workspace is the connector to another Switchyard workspace file,
// like Woodford's connector to another organisation: that workspace's local
// entities are the catalog, its rows are read in pages (by id, or by
// versionnumber for changes), and writes go through its store, so that its
// stamping and change capture see them as any other write.
package workspace

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"switchyard/core/connector"
	"switchyard/core/meta"
	"switchyard/core/spec"
	"switchyard/core/store"
)

// Name is the connector's identifier in integration files.
const Name = "workspace"

// options declares the connector's settings.
var options = spec.Options{
	{Key: "path", Label: "Workspace file", Kind: spec.KindString, Required: true,
		Help: "The other Switchyard workspace (a .db file). A relative path is taken from the folder Switchyard runs in.",
		Doc:  "It must exist: it is not created."},
	{Key: "entities", Label: "Entities", Kind: spec.KindString,
		Help: "The local entities of that workspace to offer, separated by commas; empty offers them all."},
	{Key: "readonly", Label: "Read only", Kind: spec.KindBool, Default: "false",
		Help: "true refuses every write to the other workspace."},
}

func init() {
	connector.Register(connector.Info{
		Name:        Name,
		Title:       "Switchyard workspace",
		Description: "Another Switchyard workspace file: its local entities, read and written through its own store.",
		Options:     options,
		New: func(ctx context.Context, v spec.Values) (connector.Connector, error) {
			return Open(ctx, v)
		},
	})
}

// Client is an open connection to another workspace.
type Client struct {
	st       *store.Store
	path     string
	only     []string
	readOnly bool
}

var (
	_ connector.Connector   = (*Client)(nil)
	_ connector.Tester      = (*Client)(nil)
	_ connector.Reader      = (*Client)(nil)
	_ connector.DeltaReader = (*Client)(nil)
	_ connector.Writer      = (*Client)(nil)
)

// Open opens the workspace file the settings name; it must exist.
func Open(ctx context.Context, v spec.Values) (*Client, error) {
	v = options.WithDefaults(v)
	if err := options.Validate(v); err != nil {
		return nil, fmt.Errorf("check workspace settings: %w", err)
	}
	path := strings.TrimSpace(v["path"])
	if abs, err := filepath.Abs(path); err == nil && !store.IsPostgres(path) {
		path = abs
	}
	st, err := store.OpenExisting(ctx, path) // never created for the connector, nor anything else's file changed
	if errors.Is(err, store.ErrNoWorkspace) {
		return nil, fmt.Errorf("open workspace %s: no workspace file there: check the path setting (the file is not created for you)", path)
	}
	if err != nil {
		return nil, fmt.Errorf("open workspace %s: %w", path, err)
	}
	c := &Client{st: st, path: path, readOnly: options.Bool(v, "readonly")}
	for _, n := range strings.Split(v["entities"], ",") {
		if n = strings.TrimSpace(n); n != "" {
			c.only = append(c.only, n)
		}
	}
	return c, nil
}

// Close closes the other workspace.
func (c *Client) Close() error { return c.st.Close() }

// Store returns the other workspace's store.
func (c *Client) Store() *store.Store { return c.st }

// Catalog returns the other workspace's local entities, keyed by id, with
// their system fields (id, createdon, modifiedon, versionnumber) read-only.
func (c *Client) Catalog(ctx context.Context) ([]meta.Entity, error) {
	all, err := c.st.Entities(ctx)
	if err != nil {
		return nil, fmt.Errorf("read the catalog of workspace %s: %w", c.path, err)
	}
	if len(c.only) == 0 {
		return all, nil
	}
	var out []meta.Entity
	for _, n := range c.only {
		e, ok := meta.FindEntity(all, n)
		if !ok {
			return nil, fmt.Errorf("read the catalog of workspace %s: it has no local entity %q: fix the entities setting", c.path, n)
		}
		out = append(out, e)
	}
	return out, nil
}

// Test reads the catalog and counts the rows of each entity.
func (c *Client) Test(ctx context.Context) (connector.Report, error) {
	cat, err := c.Catalog(ctx)
	if err != nil {
		return connector.Report{}, err
	}
	r := connector.Report{System: "Switchyard workspace", Entities: len(cat)}
	if v, err := c.st.SchemaVersion(ctx); err == nil {
		r.Version = fmt.Sprintf("schema %d", v)
	}
	for _, e := range cat {
		n, err := c.st.CountRows(ctx, e.Name)
		if err != nil {
			return r, err
		}
		r.Details = append(r.Details, fmt.Sprintf("%s: %d rows", e.Name, n))
	}
	return r, nil
}

// entity returns the local entity called name of the other workspace.
func (c *Client) entity(ctx context.Context, name string) (meta.Entity, error) {
	if len(c.only) > 0 && !slices.Contains(c.only, name) {
		return meta.Entity{}, fmt.Errorf("find entity %q: the entities setting does not offer it: add it there", name)
	}
	e, err := c.st.Entity(ctx, name)
	if errors.Is(err, store.ErrNotFound) {
		return meta.Entity{}, fmt.Errorf("find entity %q: workspace %s has no such local entity: refresh the catalog and check the mapping", name, c.path)
	}
	return e, err
}
