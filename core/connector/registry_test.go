package connector

import (
	"context"
	"errors"
	"strings"
	"testing"

	"switchyard/core/meta"
	"switchyard/core/spec"
)

type memConnector struct{ entities []meta.Entity }

func (m memConnector) Catalog(context.Context) ([]meta.Entity, error) { return m.entities, nil }
func (m memConnector) Close() error                                   { return nil }

func TestRegistry(t *testing.T) {
	r := NewRegistry()
	var got spec.Values
	info := Info{
		Name: "mem", Title: "Memory",
		Options: spec.Options{
			{Key: "name", Label: "Name", Kind: spec.KindString, Required: true},
			{Key: "size", Label: "Size", Kind: spec.KindInt, Default: "10"},
		},
		New: func(_ context.Context, v spec.Values) (Connector, error) {
			got = v
			return memConnector{entities: []meta.Entity{{Name: v["name"]}}}, nil
		},
	}
	if err := r.Add(info); err != nil {
		t.Fatal(err)
	}
	if err := r.Add(info); err == nil || !strings.Contains(err.Error(), "already registered") {
		t.Fatalf("second Add() = %v, want a duplicate error", err)
	}
	if err := r.Add(Info{Name: "broken"}); err == nil {
		t.Fatal("Add() of a declaration without constructor succeeded")
	}

	c, err := r.Open(context.Background(), "mem", spec.Values{"name": "x"})
	if err != nil {
		t.Fatal(err)
	}
	if got["size"] != "10" {
		t.Errorf("Open() did not apply the default: %v", got)
	}
	if cat, _ := c.Catalog(context.Background()); len(cat) != 1 || cat[0].Name != "x" {
		t.Errorf("Catalog() = %v", cat)
	}

	if _, err := r.Open(context.Background(), "mem", spec.Values{}); err == nil || !strings.Contains(err.Error(), "name: Name is required") {
		t.Errorf("Open() without a required value = %v", err)
	}
	if _, err := r.Open(context.Background(), "ftp", nil); !errors.Is(err, ErrUnknown) || !strings.Contains(err.Error(), "use one of mem") {
		t.Errorf("Open(ftp) = %v, want ErrUnknown naming the known ones", err)
	}
	if list := r.List(); len(list) != 1 || list[0].Name != "mem" {
		t.Errorf("List() = %v", list)
	}
}
