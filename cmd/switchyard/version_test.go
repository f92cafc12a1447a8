package main

import (
	"encoding/json"
	"path/filepath"
	"testing"

	"switchyard/internal/faulttest"
)

// TestListShowsTheVersion: `integration list --json` carries each
// integration's version, which every save adds one to: an import that
// replaces it (whatever its version) and a secret set.
func TestListShowsTheVersion(t *testing.T) {
	srv := faulttest.New(t, false)
	dir := t.TempDir()
	ws := testWorkspace(t, dir)
	file := filepath.Join(dir, "in.json")
	writeFile(t, file, `{"format": "switchyard.integration/v1", "name": "crm", "connector": "odata",
 "settings": {"url": "`+srv.ServiceURL()+`", "auth": "basic", "username": "ann"}, "entities": []}`)
	version := func() int64 {
		t.Helper()
		var list []map[string]any
		out := mustRun(t, "", "--workspace", ws, "integration", "list", "--json")
		if err := json.Unmarshal([]byte(out), &list); err != nil || len(list) != 1 {
			t.Fatalf("list --json = %s (%v), want one integration", out, err)
		}
		v, ok := list[0]["version"].(float64)
		if !ok || list[0]["name"] != "crm" || list[0]["connector"] != "odata" {
			t.Fatalf("list --json = %s, want crm with a version", out)
		}
		return int64(v)
	}
	mustRun(t, "", "--workspace", ws, "integration", "import", file)
	if v := version(); v != 1 {
		t.Errorf("after the import: version %d, want 1", v)
	}
	mustRun(t, "", "--workspace", ws, "integration", "import", file)
	if v := version(); v != 2 {
		t.Errorf("after importing again: version %d, want 2", v)
	}
	mustRun(t, "s3cret\n", "--workspace", ws, "integration", "secret", "crm", "password")
	if v := version(); v != 3 {
		t.Errorf("after setting a secret: version %d, want 3", v)
	}
}
