package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"switchyard/core/meta"
	"switchyard/core/store"
	"switchyard/internal/testenv"
)

// valuesFile maps work orders and contacts with every kind of value that can drift.
func valuesFile(url string) string {
	return `{"format": "switchyard.integration/v1", "name": "values", "connector": "odata",
 "settings": {"url": "` + url + `"},
 "entities": [
  {"external": "Contacts", "local": "person", "primaryKey": "externalid", "direction": "download",
   "fields": [{"external": "ID", "local": "externalid"}, {"external": "lastname", "local": "lastname"},
              {"external": "birthdate", "local": "birthdate"}, {"external": "modifiedAt", "local": "changed"}]},
  {"external": "WorkOrders", "local": "job", "primaryKey": "externalid", "direction": "download",
   "fields": [{"external": "ID", "local": "externalid"}, {"external": "title", "local": "title"},
              {"external": "description", "local": "description"}, {"external": "due", "local": "due"},
              {"external": "estimate", "local": "estimate"}, {"external": "priority", "local": "priority"},
              {"external": "contact_ID", "local": "personid", "lookup": "person"}]}],
 "schedules": []}`
}

// TestValuesDoNotDrift imports from the shared CAP server with the machine's
// time zone far east and far west of UTC, and compares every value with the server's.
func TestValuesDoNotDrift(t *testing.T) {
	root := testenv.ODataURL(t)
	contacts := odataGet(t, root, "Contacts")
	jobs := odataGet(t, root, "WorkOrders")
	saved := time.Local
	defer func() { time.Local = saved }()
	for _, zone := range []string{"Pacific/Kiritimati", "America/Adak"} {
		t.Run(zone, func(t *testing.T) {
			loc, err := time.LoadLocation(zone)
			if err != nil {
				t.Skipf("no time zone data: %v", err)
			}
			time.Local = loc
			dir := t.TempDir()
			ws := testWorkspace(t, dir)
			file := filepath.Join(dir, "values.json")
			os.WriteFile(file, []byte(valuesFile(root)), 0o600)
			if code, _, errOut := switchyard(t, "", "--workspace", ws, "integration", "import", file); code != exitOK {
				t.Fatalf("integration import: %s", errOut)
			}
			if code, out, errOut := switchyard(t, "", "--workspace", ws, "import", "values"); code != exitOK {
				t.Fatalf("import: %d %s %s", code, out, errOut)
			}
			people := workspaceRows(t, ws, "person", "lastname", "birthdate", "changed")
			for _, c := range contacts {
				l := people[c["ID"].(string)]
				if l["lastname"] != c["lastname"] || l["birthdate"] != str(c["birthdate"]) {
					t.Errorf("contact %s: server %v %v, local %v", c["ID"], c["lastname"], c["birthdate"], l)
				}
				serverTime, _ := time.Parse(time.RFC3339Nano, c["modifiedAt"].(string))
				localTime, err := time.Parse(time.RFC3339Nano, l["changed"])
				if err != nil || !serverTime.Equal(localTime) || !strings.HasSuffix(l["changed"], "Z") {
					t.Errorf("contact %s modifiedAt: server %v, local %q", c["ID"], c["modifiedAt"], l["changed"])
				}
			}
			local := workspaceRows(t, ws, "job", "title", "description", "due", "estimate", "priority", "personid")
			for _, j := range jobs {
				l := local[j["ID"].(string)]
				if l["title"] != j["title"] || l["description"] != str(j["description"]) || l["priority"] != str(j["priority"]) {
					t.Errorf("work order %s: server %q %q, local %q %q", j["ID"], j["title"], j["description"], l["title"], l["description"])
				}
				if j["estimate"] != nil && !store.SameStored(meta.Decimal, string(j["estimate"].(json.Number)), mustNumber(l["estimate"])) {
					t.Errorf("work order %s estimate: server %v, local %v", j["ID"], j["estimate"], l["estimate"])
				}
				if c, ok := j["contact_ID"].(string); ok && (l["personid"] == "" || l["personid"] != people[c]["id"]) {
					t.Errorf("work order %s: contact %s not resolved (local %q)", j["ID"], c, l["personid"])
				}
				if j["due"] != nil {
					due, _ := time.Parse(time.RFC3339Nano, j["due"].(string))
					got, err := time.Parse(time.RFC3339Nano, l["due"])
					if err != nil || !due.Equal(got) {
						t.Errorf("work order %s due: server %v, local %v", j["ID"], j["due"], l["due"])
					}
				}
			}
		})
	}
}

func str(v any) string {
	if v == nil {
		return ""
	}
	if n, ok := v.(json.Number); ok {
		return n.String()
	}
	return v.(string)
}
