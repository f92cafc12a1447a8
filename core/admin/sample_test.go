package admin_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	_ "switchyard/connectors/workspace" // the sample's connector
	"switchyard/core/admin"
	"switchyard/core/connector"
	"switchyard/core/engine"
	"switchyard/core/filter"
	"switchyard/core/store"
)

func TestEnsureSample(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	st, err := store.Open(ctx, filepath.Join(dir, "workspace.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	svc := admin.New(st, connector.Default)
	svc.Getenv = func(string) string { return "" }

	name, err := admin.EnsureSample(ctx, svc, dir)
	if err != nil || name != admin.SampleIntegration {
		t.Fatalf("first run: %q, %v", name, err)
	}
	if _, err := os.Stat(filepath.Join(dir, admin.SampleFile)); err != nil {
		t.Fatalf("no sample workspace: %v", err)
	}
	again, err := admin.EnsureSample(ctx, svc, dir)
	if err != nil || again != "" {
		t.Fatalf("second run: %q, %v; want nothing done", again, err)
	}

	// The ready integration previews and imports without any server.
	res, err := svc.Run(ctx, admin.SampleIntegration, admin.RunOptions{Direction: engine.Import, Preview: true, PreviewLimit: 5})
	if err != nil || res.Entities[0].Counts.All != 5 {
		t.Fatalf("preview: %+v %v", res, err)
	}
	res, err = svc.Run(ctx, admin.SampleIntegration, admin.RunOptions{Direction: engine.Import})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int{"account": 25, "contact": 60, "salesorder": 120}
	for _, e := range res.Entities {
		if e.Counts.Imported != want[e.Entity] || e.Counts.Failed != 0 {
			t.Errorf("%s: %+v, want %d imported", e.Entity, e.Counts, want[e.Entity])
		}
		n, err := st.CountRows(ctx, e.LocalEntity)
		if err != nil || n != int64(want[e.Entity]) {
			t.Errorf("local %s has %d rows (%v)", e.LocalEntity, n, err)
		}
	}
	// Every contact with an account in the sample has its lookup resolved.
	err = st.View(ctx, func(tx *store.Tx) error {
		n, err := tx.Count("contact", filter.MustParse("parentcustomerid ne null"))
		if err == nil && (n < 40 || n >= 60) {
			t.Errorf("%d contacts have their account, want most but not all", n)
		}
		m, err2 := tx.Count("salesorder", filter.MustParse("customerid eq null or contactid eq null"))
		if err2 == nil && m != 0 {
			t.Errorf("%d sales orders lack their account or contact", m)
		}
		if err != nil {
			return err
		}
		return err2
	})
	if err != nil {
		t.Fatal(err)
	}

	// A workspace that has integrations gets no sample.
	other, err := store.Open(ctx, filepath.Join(t.TempDir(), "w.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	in, err := st.Integration(ctx, admin.SampleIntegration)
	if err != nil {
		t.Fatal(err)
	}
	if err := other.SaveIntegration(ctx, in); err != nil {
		t.Fatal(err)
	}
	if got, err := admin.EnsureSample(ctx, admin.New(other, connector.Default), t.TempDir()); err != nil || got != "" {
		t.Errorf("with an integration: %q, %v; want nothing done", got, err)
	}
}
