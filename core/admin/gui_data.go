package admin

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"switchyard/core/connector"
	"switchyard/core/filter"
	"switchyard/core/meta"
	"switchyard/core/store"
	"switchyard/core/values"
)

// ErrUncountable says a system cannot count the records a filter matches.
var ErrUncountable = errors.New("the system does not count records")

// CountLocal returns how many rows of the local entity filterText matches
// (all rows when it is blank); the filter is checked against the entity first.
func (s *Service) CountLocal(ctx context.Context, entity, filterText string) (int64, error) {
	ent, err := s.Store.Entity(ctx, entity)
	if err != nil {
		return 0, fmt.Errorf("count the rows of %q: %w", entity, err)
	}
	e, err := parseChecked(filterText, ent)
	if err != nil {
		return 0, err
	}
	var n int64
	err = s.Store.View(ctx, func(tx *store.Tx) error {
		var err error
		n, err = tx.Count(entity, filter.Resolve(e, s.now()))
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("count the rows of %q: %w", entity, err)
	}
	return n, nil
}

// CountExternal asks the system of the integration called name how many
// records of the external entity filterText matches. It returns
// ErrUncountable when the connector cannot read or the system does not say.
func (s *Service) CountExternal(ctx context.Context, name, external, filterText string) (int64, error) {
	in, err := s.Store.Integration(ctx, name)
	if err != nil {
		return 0, err
	}
	catalog, err := s.Catalog(ctx, name, false)
	if err != nil {
		return 0, err
	}
	ext, ok := meta.FindEntity(catalog, external)
	if !ok {
		return 0, configError(fmt.Errorf("integration %q has no external entity %q: click Refresh schema", name, external))
	}
	e, err := parseChecked(filterText, ext)
	if err != nil {
		return 0, err
	}
	c, err := s.Connect(ctx, in)
	if err != nil {
		return 0, err
	}
	defer c.Close()
	r, ok := c.(connector.Reader)
	if !ok {
		return 0, ErrUncountable
	}
	q := connector.Query{Entity: external, PageSize: 1, Count: true, Fields: ext.Key}
	q.SetWhere(filter.Resolve(e, s.now()))
	page, err := r.ReadPage(ctx, q, "")
	if err != nil {
		return 0, fmt.Errorf("count the records of %q: %w", external, err)
	}
	if page.Total < 0 {
		return 0, ErrUncountable
	}
	return page.Total, nil
}

// LocalRows returns up to limit rows of the local entity after the row id
// after, in id order, with every field. search narrows them: a filter
// (docs/filters.md) valid for the entity is applied as such, any other text
// keeps the rows whose text fields contain it.
func (s *Service) LocalRows(ctx context.Context, entity, search string, after string, limit int) (meta.Entity, []store.Row, error) {
	ent, err := s.Store.Entity(ctx, entity)
	if err != nil {
		return ent, nil, fmt.Errorf("read the rows of %q: %w", entity, err)
	}
	e := searchExpr(search, ent)
	var rows []store.Row
	err = s.Store.View(ctx, func(tx *store.Tx) error {
		var err error
		rows, err = tx.Scan(entity, ent.FieldNames(), filter.Resolve(e, s.now()), after, limit)
		return err
	})
	if err != nil {
		return ent, nil, fmt.Errorf("read the rows of %q: %w", entity, err)
	}
	showBooleans(ent, rows)
	return ent, rows, nil
}

// showBooleans gives rows' boolean fields as true and false, which the
// workspace stores as 1 and 0 (docs/workspace.md), so that a screen shows
// what the field means.
func showBooleans(ent meta.Entity, rows []store.Row) {
	for _, f := range ent.Fields {
		if f.Type != meta.Bool {
			continue
		}
		for _, r := range rows {
			if v, err := values.FromStored(meta.Bool, r.Values[f.Name]); err == nil && v != nil {
				r.Values[f.Name] = v
			}
		}
	}
}

// searchExpr is the condition a search box's text stands for: the filter it
// spells when valid for ent, else "a text field contains it"; nil when blank.
func searchExpr(text string, ent meta.Entity) filter.Expr {
	text = strings.TrimSpace(text)
	if text == "" {
		return nil
	}
	if e, err := parseChecked(text, ent); err == nil {
		return e
	}
	var terms []filter.Expr
	for _, f := range ent.Fields {
		if f.Type != meta.String {
			continue
		}
		terms = append(terms, &filter.Call{Name: filter.FuncContains,
			Args: []filter.Expr{&filter.Field{Name: f.Name}, &filter.Literal{Value: filter.StringValue(text)}}})
	}
	switch len(terms) {
	case 0:
		// No text field: nothing can contain the text.
		return &filter.Literal{Value: filter.BoolValue(false)}
	case 1:
		return terms[0]
	}
	return &filter.Logical{Op: filter.Or, Terms: terms}
}

// parseChecked parses filterText and checks it against ent.
func parseChecked(filterText string, ent meta.Entity) (filter.Expr, error) {
	e, err := filter.Parse(filterText)
	if err != nil {
		return nil, configError(fmt.Errorf("filter %q: %w", filterText, err))
	}
	if err := filter.Check(e, ent); err != nil {
		return nil, configError(fmt.Errorf("filter %q on %s: %w", filterText, ent.Name, err))
	}
	return e, nil
}
