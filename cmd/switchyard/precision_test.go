package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// preciseCSDL declares Events with a date-time of seven fractional digits
// (as Dataverse and SQL Server's datetime2 keep them) and a decimal of scale 4.
const preciseCSDL = `<?xml version="1.0" encoding="utf-8"?>
<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx"><edmx:DataServices>
<Schema Namespace="P" xmlns="http://docs.oasis-open.org/odata/ns/edm">
<EntityType Name="event"><Key><PropertyRef Name="ID"/></Key>
<Property Name="ID" Type="Edm.Guid" Nullable="false"/><Property Name="name" Type="Edm.String"/>
<Property Name="at" Type="Edm.DateTimeOffset" Precision="7"/><Property Name="amount" Type="Edm.Decimal" Precision="19" Scale="4"/>
<Property Name="modifiedon" Type="Edm.DateTimeOffset" Precision="7"/></EntityType>
<EntityContainer Name="C"><EntitySet Name="Events" EntityType="P.event"/></EntityContainer>
</Schema></edmx:DataServices></edmx:Edmx>`

// preciseServer is an OData service of Events that keeps every value as the
// JSON text it was given, so that a test sees exactly what came back, and
// records the writes it receives.
type preciseServer struct {
	mu     sync.Mutex
	events map[string]map[string]json.RawMessage
	order  []string
	writes []string // "PATCH Events(…) {body}"
}

func (s *preciseServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	path := strings.TrimPrefix(r.URL.Path, "/svc/")
	switch {
	case path == "$metadata":
		w.Header().Set("Content-Type", "application/xml")
		io.WriteString(w, preciseCSDL)
	case path == "Events" && r.Method == http.MethodGet:
		// Filters are not applied: the client matches what it reads by key.
		var page []map[string]json.RawMessage
		for _, id := range s.order {
			page = append(page, s.events[id])
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"@odata.count": len(page), "value": page})
	case strings.HasPrefix(path, "Events(") && r.Method == http.MethodPatch:
		body, _ := io.ReadAll(r.Body)
		s.writes = append(s.writes, "PATCH "+path+" "+string(body))
		id := strings.TrimSuffix(strings.TrimPrefix(path, "Events("), ")")
		var fields map[string]json.RawMessage
		if json.Unmarshal(body, &fields) != nil || s.events[id] == nil {
			http.Error(w, `{"error":{"code":"400","message":"bad PATCH"}}`, http.StatusBadRequest)
			return
		}
		for k, v := range fields {
			s.events[id][k] = v
		}
		w.WriteHeader(http.StatusNoContent)
	case path == "Events" && r.Method == http.MethodPost:
		body, _ := io.ReadAll(r.Body)
		s.writes = append(s.writes, "POST Events "+string(body))
		var fields map[string]json.RawMessage
		if json.Unmarshal(body, &fields) != nil {
			http.Error(w, `{"error":{"code":"400","message":"bad POST"}}`, http.StatusBadRequest)
			return
		}
		var id string
		json.Unmarshal(fields["ID"], &id)
		s.events[id] = fields
		s.order = append(s.order, id)
		w.Header().Set("OData-EntityId", "http://"+r.Host+"/svc/Events("+id+")")
		w.WriteHeader(http.StatusNoContent)
	default:
		http.Error(w, `{"error":{"code":"404","message":"no such resource"}}`, http.StatusNotFound)
	}
}

// TestPreciseValuesRoundTrip: date-times of seven fractional digits and
// decimals of scale 4 are kept exactly as received, compared exactly (a
// sync and an export of unchanged data send nothing), and written back
// exactly when they change.
func TestPreciseValuesRoundTrip(t *testing.T) {
	const a, b = "00000000-0000-4000-8000-00000000000a", "00000000-0000-4000-8000-00000000000b"
	raw := func(s string) json.RawMessage { return json.RawMessage(s) }
	srv := &preciseServer{order: []string{a, b}, events: map[string]map[string]json.RawMessage{
		a: {"ID": raw(`"` + a + `"`), "name": raw(`"first"`), "at": raw(`"2024-03-01T10:00:00.1234567Z"`), "amount": raw(`12345.6789`),
			"modifiedon": raw(`"2024-03-01T10:00:00.1234567Z"`)},
		b: {"ID": raw(`"` + b + `"`), "name": raw(`"second"`), "at": raw(`"2024-03-01T10:00:00Z"`), "amount": raw(`0.0001`),
			"modifiedon": raw(`"2024-03-01T10:00:00.9999999Z"`)},
	}}
	hs := httptest.NewServer(srv)
	defer hs.Close()
	dir := t.TempDir()
	ws := testWorkspace(t, dir)
	file := filepath.Join(dir, "p.json")
	integration := `{"format": "switchyard.integration/v1", "name": "precise", "connector": "odata",
 "settings": {"url": "` + hs.URL + `/svc/", "auth": "none", "batch": "none", "preset": "generic"},
 "entities": [{"external": "Events", "local": "event", "primaryKey": "externalid", "direction": "bidirectional",
   "fields": [{"external": "ID", "local": "externalid"}, {"external": "name", "local": "name"},
              {"external": "at", "local": "at"}, {"external": "amount", "local": "amount"}]}],
 "schedules": []}`
	if err := os.WriteFile(file, []byte(integration), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, _, errOut := switchyard(t, "", "--workspace", ws, "integration", "import", file); code != exitOK {
		t.Fatalf("integration import: %d %s", code, errOut)
	}
	if code, out, errOut := switchyard(t, "", "--workspace", ws, "import", "precise"); code != exitOK {
		t.Fatalf("import: %d %s %s", code, out, errOut)
	}
	if got := sqlValue(t, ws, `SELECT at FROM event WHERE externalid = ?`, a); got != "2024-03-01T10:00:00.1234567Z" {
		t.Errorf("the workspace keeps at = %q, want the seven digits received", got)
	}
	if got := sqlValue(t, ws, `SELECT amount FROM event WHERE externalid = ?`, a); got != "12345.6789" {
		t.Errorf("the workspace keeps amount = %q, want 12345.6789", got)
	}

	// Nothing changed: a first sync and an export send nothing.
	if code, s := runSyncJSON2(t, ws, "precise"); code != exitOK {
		t.Fatalf("sync: %d %+v", code, s)
	}
	if code, out, errOut := switchyard(t, "", "--workspace", ws, "export", "precise"); code != exitOK {
		t.Fatalf("export: %d %s %s", code, out, errOut)
	}
	if len(srv.writes) != 0 {
		t.Fatalf("unchanged data was written: %v", srv.writes)
	}

	// A change here goes back exactly, and alone.
	sqlExec(t, ws, `UPDATE event SET at = '2024-03-01T10:00:00.7654321Z', amount = 1.2345 WHERE externalid = '`+a+`'`)
	if code, s := runSyncJSON2(t, ws, "precise"); code != exitOK {
		t.Fatalf("sync: %d %+v", code, s)
	}
	if len(srv.writes) != 1 {
		t.Fatalf("writes %v, want one PATCH", srv.writes)
	}
	var sent map[string]json.RawMessage
	body, ok := strings.CutPrefix(srv.writes[0], "PATCH Events("+a+") ")
	if !ok || json.Unmarshal([]byte(body), &sent) != nil {
		t.Fatalf("the write %q is not a PATCH of %s with a JSON body", srv.writes[0], a)
	}
	if string(sent["at"]) != `"2024-03-01T10:00:00.7654321Z"` || string(sent["amount"]) != "1.2345" || len(sent) != 2 {
		t.Errorf("the PATCH sent %s, want only at (seven digits) and amount (1.2345)", srv.writes[0])
	}
	// And reads back unchanged.
	if code, s := runSyncJSON2(t, ws, "precise"); code != exitOK || len(srv.writes) != 1 {
		t.Errorf("a sync after the round trip: exit %d, writes %v (%+v)", code, srv.writes, s)
	}
}
