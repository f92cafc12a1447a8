package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"switchyard/core/admin"
	"switchyard/core/connector"
	"switchyard/core/store"
	"switchyard/internal/testenv"
)

// syncOnce runs --run-sync NAME --json and returns the summary.
func syncOnce(t *testing.T, ws, name string) syncJSON {
	t.Helper()
	code, out, errOut := switchyard(t, "", "--workspace", ws, "--run-sync", name, "--json")
	var s syncJSON
	if err := json.Unmarshal([]byte(out), &s); err != nil || code != exitOK {
		t.Fatalf("--run-sync %s: exit %d, %v\n%s\n%s", name, code, err, out, errOut)
	}
	return s
}

// byDirection sums a sync's counts by direction.
func byDirection(s syncJSON) map[string]entityJSON {
	out := map[string]entityJSON{}
	for _, e := range s.Entities {
		c := out[string(e.Direction)]
		c.All += e.All
		c.Imported += e.Imported
		c.Exported += e.Exported
		c.Updated += e.Updated
		c.Unchanged += e.Unchanged
		c.Failed += e.Failed
		out[string(e.Direction)] = c
	}
	return out
}

// setLocal changes one local row by its external id, as an admin would with SQL (captured for upload).
func setLocal(t *testing.T, ws, entity, externalid string, values map[string]any) {
	t.Helper()
	st, err := store.Open(t.Context(), ws)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	err = st.Update(t.Context(), func(tx *store.Tx) error {
		rows, err := tx.FindBy(entity, "externalid", []any{externalid}, nil)
		if err != nil {
			return err
		}
		row, ok := rows[externalid]
		if !ok {
			return fmt.Errorf("no %s %s", entity, externalid)
		}
		return tx.UpdateRow(entity, row.ID, values)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestSyncRESTAgainstJSONServer: a full sync, then a change on each side, then
// an incremental sync that moves exactly those, through json-server.
func TestSyncRESTAgainstJSONServer(t *testing.T) {
	root := testenv.OwnREST(t)
	dir := t.TempDir()
	ws := testWorkspace(t, dir)
	file := `{"format": "switchyard.integration/v1", "name": "shop", "connector": "rest",
 "settings": {"url": "` + root + `", "preset": "json-server"},
 "entities": [{"external": "customers", "local": "customer", "primaryKey": "externalid", "direction": "bidirectional",
   "fields": [{"external": "id", "local": "externalid"}, {"external": "name", "local": "name"},
              {"external": "email", "local": "email"}, {"external": "updatedAt", "local": "updatedat"}]}],
 "schedules": []}`
	os.WriteFile(filepath.Join(dir, "shop.json"), []byte(file), 0o600)
	if code, _, errOut := switchyard(t, "", "--workspace", ws, "integration", "import", filepath.Join(dir, "shop.json")); code != exitOK {
		t.Fatalf("integration import: %s", errOut)
	}
	first := byDirection(syncOnce(t, ws, "shop"))
	if first["import"].Imported != 60 {
		t.Fatalf("first sync = %+v, want the 60 customers imported", first)
	}

	req, _ := http.NewRequest(http.MethodPatch, root+"customers/1", strings.NewReader(`{"name": "Renamed on the server"}`))
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("PATCH customers/1: %v %v", resp, err)
	}
	resp.Body.Close()
	setLocal(t, ws, "customer", "2", map[string]any{"email": "changed.locally@example.com"})

	second := byDirection(syncOnce(t, ws, "shop"))
	if down, up := second["import"], second["export"]; down.Updated != 1 || down.Imported != 0 || up.Updated != 1 || up.Exported != 0 {
		t.Errorf("incremental sync = %+v", second)
	}
	got := workspaceRows(t, ws, "customer", "name", "email")
	if got["1"]["name"] != "Renamed on the server" {
		t.Errorf("local customer 1 = %v", got["1"])
	}
	var c2 map[string]any
	resp, err = http.Get(root + "customers/2")
	if err != nil {
		t.Fatal(err)
	}
	json.NewDecoder(resp.Body).Decode(&c2)
	resp.Body.Close()
	if c2["email"] != "changed.locally@example.com" {
		t.Errorf("server customer 2 = %v", c2)
	}
	third := byDirection(syncOnce(t, ws, "shop"))
	if third["import"].Updated+third["import"].Imported+third["export"].Updated+third["export"].Exported > 1 {
		// the upload of customer 2 changes its updatedAt on the server: at most that one comes back
		t.Errorf("a third sync still moved records: %+v", third)
	}
}

// TestSyncWorkspaceToWorkspace: the sample integration (another workspace as
// the external side) syncs fully, then moves exactly one change each way.
func TestSyncWorkspaceToWorkspace(t *testing.T) {
	dir := t.TempDir()
	ws := testWorkspace(t, dir)
	st, err := store.Open(t.Context(), ws)
	if err != nil {
		t.Fatal(err)
	}
	name, err := admin.EnsureSample(t.Context(), admin.New(st, connector.Default), dir)
	st.Close()
	if err != nil || name == "" {
		t.Fatalf("EnsureSample() = %q, %v", name, err)
	}
	first := byDirection(syncOnce(t, ws, name))
	if first["import"].Imported == 0 || first["import"].Failed != 0 {
		t.Fatalf("first sync = %+v", first)
	}
	local := workspaceRows(t, ws, "account", "name")
	var someKey string
	for k := range local {
		someKey = k
		break
	}
	setLocal(t, ws, "account", someKey, map[string]any{"name": "Renamed locally"})
	second := byDirection(syncOnce(t, ws, name))
	if up := second["export"]; up.Updated != 1 {
		t.Errorf("sync after a local change = %+v", second)
	}
	other, err := store.Open(t.Context(), filepath.Join(dir, admin.SampleFile))
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	var name2 any
	err = other.View(t.Context(), func(tx *store.Tx) error {
		rows, err := tx.FindBy("account", "id", []any{someKey}, []string{"name"})
		if r, ok := rows[someKey]; ok {
			name2 = r.Values["name"]
		}
		return err
	})
	if err != nil || name2 != "Renamed locally" {
		t.Errorf("the other workspace's account %s is named %v (%v)", someKey, name2, err)
	}
}

// TestSyncRemovalsAreCountedFirst: before a sync removes local rows that the
// server no longer has, admin.SyncRemovals counts them (the GUI warns with it);
// a row with local changes waiting for upload is counted as kept.
func TestSyncRemovalsAreCountedFirst(t *testing.T) {
	root := testenv.OwnCAP(t)
	dir := t.TempDir()
	ws := testWorkspace(t, dir)
	file := `{"format": "switchyard.integration/v1", "name": "crm", "connector": "odata",
 "settings": {"url": "` + root + `"},
 "entities": [{"external": "Contacts", "local": "contact", "primaryKey": "externalid", "direction": "bidirectional",
   "fields": [{"external": "ID", "local": "externalid"}, {"external": "lastname", "local": "lastname"}]}],
 "schedules": []}`
	os.WriteFile(filepath.Join(dir, "crm.json"), []byte(file), 0o600)
	if code, _, errOut := switchyard(t, "", "--workspace", ws, "integration", "import", filepath.Join(dir, "crm.json")); code != exitOK {
		t.Fatalf("integration import: %s", errOut)
	}
	syncOnce(t, ws, "crm")
	server := odataGet(t, root, "Contacts")
	gone, changed := server[0]["ID"].(string), server[1]["ID"].(string)
	for _, id := range []string{gone, changed} {
		req, _ := http.NewRequest(http.MethodDelete, root+"Contacts("+id+")", nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil || resp.StatusCode != http.StatusNoContent {
			t.Fatalf("DELETE %s: %v %v", id, resp, err)
		}
		resp.Body.Close()
	}
	setLocal(t, ws, "contact", changed, map[string]any{"lastname": "Changed here meanwhile"})

	st, err := store.Open(t.Context(), ws)
	if err != nil {
		t.Fatal(err)
	}
	rm, err := admin.New(st, connector.Default).SyncRemovals(t.Context(), "crm")
	st.Close()
	if err != nil || len(rm) != 1 || rm[0] != (admin.Removal{Entity: "Contacts", LocalEntity: "contact", Remove: 1, Kept: 1}) {
		t.Fatalf("SyncRemovals() = %+v, %v", rm, err)
	}
	if rows := workspaceRows(t, ws, "contact"); rows[gone] == nil {
		t.Fatal("counting removed a row")
	}
	syncOnce(t, ws, "crm")
	rows := workspaceRows(t, ws, "contact", "lastname")
	if rows[gone] != nil || rows[changed] == nil {
		t.Errorf("after the sync: removed row %v, changed row %v", rows[gone], rows[changed])
	}
}

// TestIncrementalSyncReadsKeysOnlyWhenCountsDiffer: an incremental sync reads
// every external key (to find deletions) only when the external count and the
// local count differ; a deletion on the server still reaches the workspace.
func TestIncrementalSyncReadsKeysOnlyWhenCountsDiffer(t *testing.T) {
	root := testenv.OwnCAP(t)
	dir := t.TempDir()
	ws := testWorkspace(t, dir)
	file := `{"format": "switchyard.integration/v1", "name": "crm", "connector": "odata",
 "settings": {"url": "` + root + `"},
 "entities": [{"external": "Contacts", "local": "contact", "primaryKey": "externalid", "direction": "download",
   "fields": [{"external": "ID", "local": "externalid"}, {"external": "lastname", "local": "lastname"}]}],
 "schedules": []}`
	os.WriteFile(filepath.Join(dir, "crm.json"), []byte(file), 0o600)
	if code, _, errOut := switchyard(t, "", "--workspace", ws, "integration", "import", filepath.Join(dir, "crm.json")); code != exitOK {
		t.Fatalf("integration import: %s", errOut)
	}
	syncOnce(t, ws, "crm")
	server := odataGet(t, root, "Contacts")
	odataSend(t, "PATCH", root+"Contacts("+server[0]["ID"].(string)+")", `{"lastname": "Patched"}`)
	readsKeys := func(s syncJSON) bool {
		for _, e := range s.Entities {
			if strings.Contains(strings.Join(e.Queries, " "), "keys, to find deletions") {
				return true
			}
		}
		return false
	}
	s := syncOnce(t, ws, "crm")
	if readsKeys(s) || byDirection(s)["import"].Updated != 1 {
		t.Errorf("a sync with equal counts read the keys, or missed the change: %+v", s)
	}
	req, _ := http.NewRequest(http.MethodDelete, root+"Contacts("+server[1]["ID"].(string)+")", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	s = syncOnce(t, ws, "crm")
	if !readsKeys(s) || s.Deleted != 1 {
		t.Errorf("a sync after a server deletion: reads keys %v, deleted %d", readsKeys(s), s.Deleted)
	}
	if rows := workspaceRows(t, ws, "contact"); rows[server[1]["ID"].(string)] != nil || len(rows) != len(server)-1 {
		t.Errorf("the deleted contact is still here (%d rows)", len(rows))
	}
}
