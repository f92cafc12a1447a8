package store

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"switchyard/core/mapping"
	"switchyard/core/meta"
)

// queueWorkspace makes s a workspace whose integration crm synchronises
// Accounts with the local account both ways, and writes (capture off) the
// accounts A, B and C, active and due at due. It returns their ids by code.
func queueWorkspace(t *testing.T, s *Store) map[string]string {
	t.Helper()
	ctx := context.Background()
	err := s.CreateEntity(ctx, entity("account", meta.Field{Name: "code", Type: meta.String}, meta.Field{Name: "name", Type: meta.String},
		meta.Field{Name: "active", Type: meta.Bool}, meta.Field{Name: "due", Type: meta.DateTime}))
	if err == nil {
		err = s.SaveIntegration(ctx, mapping.Integration{Name: "crm", Connector: "odata", Entities: []mapping.EntityMapping{
			{External: "Accounts", Local: "account", PrimaryKey: "code", Direction: mapping.Bidirectional,
				Fields: []mapping.FieldMapping{{External: "code", Local: "code"}, {External: "name", Local: "name"}}},
		}})
	}
	ids := map[string]string{}
	if err == nil {
		err = s.Apply(ctx, func(tx *Tx) error {
			for _, code := range []string{"A", "B", "C"} {
				id, err := tx.Insert("account", map[string]any{"code": code, "name": "n" + code, "active": true, "due": due})
				if err != nil {
					return err
				}
				ids[code] = id
			}
			return nil
		})
	}
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

// due is the accounts' datetime, in the workspace's form.
const due = "2026-01-31T08:15:00.123Z"

// TestUploadQueue: on both backends, local writes (Update) wait in the
// queue, one change per row with its latest operation, the values of a row
// before its update (the baseline) or its deletion in SQLite's forms; an
// upload finished leaves later changes pending, and LastUploads says when.
func TestUploadQueue(t *testing.T) { eachBackend(t, testUploadQueue) }

func testUploadQueue(t *testing.T, s *Store, c *clock) {
	ctx := context.Background()
	ids := queueWorkspace(t, s)
	err := s.Update(ctx, func(tx *Tx) error {
		if err := tx.UpdateRow("account", ids["A"], map[string]any{"name": "changed"}); err != nil {
			return err
		}
		if err := tx.DeleteRow("account", ids["B"]); err != nil {
			return err
		}
		id, err := tx.Insert("account", map[string]any{"code": "D"})
		ids["D"] = id
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	var changes []LocalChange
	err = s.View(ctx, func(tx *Tx) error {
		if changes, err = tx.LocalChanges("crm", "account", "", 10); err != nil {
			return err
		}
		changed, err := tx.ChangedLocally("crm", "account", []string{ids["A"], ids["C"], ids["D"]})
		if want := map[string]string{ids["A"]: "update", ids["D"]: "insert"}; err == nil && fmt.Sprint(changed) != fmt.Sprint(want) {
			t.Errorf("ChangedLocally = %v, want %v", changed, want)
		}
		deleted, err := tx.DeletedLocally("crm", "account", "code")
		if err == nil && fmt.Sprint(deleted) != fmt.Sprint(map[string]string{"B": ids["B"]}) {
			t.Errorf("DeletedLocally = %v, want B", deleted)
		}
		waiting, err := tx.CreatesOrDeletesWaiting("crm", "account")
		if err == nil && !waiting {
			t.Error("CreatesOrDeletesWaiting = false, want true")
		}
		base, err := tx.Baselines("crm", "account", []string{ids["A"], ids["D"]})
		if a := base[ids["A"]]; err == nil && (len(base) != 1 || a["name"] != "nA" || a["active"] != int64(1) || a["due"] != due) {
			t.Errorf("Baselines = %v, want A's values before the update", base)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	ops := map[string]LocalChange{}
	for _, ch := range changes {
		ops[ch.RecordID] = ch
	}
	if len(changes) != 3 || ops[ids["A"]].Operation != "update" || ops[ids["B"]].Operation != "delete" || ops[ids["D"]].Operation != "insert" ||
		!slices.IsSortedFunc(changes, func(a, b LocalChange) int { return compare(a.RecordID, b.RecordID) }) {
		t.Fatalf("LocalChanges = %+v", changes)
	}
	if d := ops[ids["B"]].Data; d["code"] != "B" || fmt.Sprint(d["active"]) != "1" || d["due"] != due {
		t.Errorf("the deleted row's data = %v, want B active and due %s", d, due)
	}
	// A's upload is done, B's sent without its outcome; then A changes again.
	err = s.Update(ctx, func(tx *Tx) error {
		if err := tx.FinishChange("crm", "account", ids["A"], ops[ids["A"]].UpTo, "done", "A", ""); err != nil {
			return err
		}
		if err := tx.FinishChange("crm", "account", ids["B"], ops[ids["B"]].UpTo, "sent", "B", ""); err != nil {
			return err
		}
		return tx.UpdateRow("account", ids["A"], map[string]any{"name": "again"})
	})
	if err != nil {
		t.Fatal(err)
	}
	err = s.View(ctx, func(tx *Tx) error {
		left, err := tx.LocalChanges("crm", "account", "", 10)
		got := map[string]string{}
		for _, ch := range left {
			got[ch.RecordID] = fmt.Sprint(ch.Operation, " ", ch.ExternalKey, " ", ch.Sent)
		}
		want := map[string]string{ids["A"]: "update  false", ids["B"]: "delete B true", ids["D"]: "insert  false"}
		if err == nil && fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("LocalChanges after the uploads = %v, want %v", got, want)
		}
		uploads, err := tx.LastUploads("crm", "account", []string{ids["A"], ids["B"], ids["D"]})
		if err == nil && (len(uploads) != 2 || !uploads[ids["A"]].Equal(c.t) || !uploads[ids["B"]].Equal(c.t.Add(time.Minute))) {
			t.Errorf("LastUploads = %v, want A at %s and B a minute later", uploads, c.t)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// compare orders strings as Go does.
func compare(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// TestSeenAndEnqueue: on both backends, the keys a download saw are
// recorded once however often they come; the rows whose key was not seen
// are Unseen; EnqueueUnseen queues those with nothing waiting, EnqueueAll
// every row with nothing waiting, and the baseline a sync sets is kept.
func TestSeenAndEnqueue(t *testing.T) { eachBackend(t, testSeenAndEnqueue) }

func testSeenAndEnqueue(t *testing.T, s *Store, _ *clock) {
	ctx := context.Background()
	ids := queueWorkspace(t, s)
	unseen := func() []string {
		t.Helper()
		var out []string
		err := s.View(ctx, func(tx *Tx) error {
			rows, err := tx.Unseen("crm", "Accounts", "account", "code", "", 10)
			for _, r := range rows {
				out = append(out, fmt.Sprint(r.Values["code"]))
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		slices.Sort(out)
		return out
	}
	err := s.Apply(ctx, func(tx *Tx) error {
		if err := tx.AddSeen("crm", "Accounts", []string{"A", "A", "C"}); err != nil {
			return err
		}
		return tx.AddSeen("crm", "Accounts", []string{"C"})
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := unseen(); !slices.Equal(got, []string{"B"}) {
		t.Errorf("Unseen = %v, want B", got)
	}
	if err := s.Apply(ctx, func(tx *Tx) error { return tx.ClearSeen("crm", "Accounts") }); err != nil {
		t.Fatal(err)
	}
	if got := unseen(); !slices.Equal(got, []string{"A", "B", "C"}) {
		t.Errorf("Unseen after ClearSeen = %v, want A, B and C", got)
	}
	// A seen, B changed here: EnqueueUnseen queues C only, EnqueueAll then A.
	var first, second int64
	err = s.Update(ctx, func(tx *Tx) error {
		return tx.UpdateRow("account", ids["B"], map[string]any{"name": "changed"})
	})
	if err == nil {
		err = s.Apply(ctx, func(tx *Tx) (err error) {
			if err = tx.AddSeen("crm", "Accounts", []string{"A"}); err == nil {
				first, err = tx.EnqueueUnseen("crm", "Accounts", "account", "code", nil)
			}
			if err == nil {
				second, err = tx.EnqueueAll("crm", "Accounts", "account", nil)
			}
			if err == nil {
				err = tx.SetBaseline("crm", "account", ids["B"], map[string]any{"code": "B", "name": "merged"})
			}
			return err
		})
	}
	if err != nil {
		t.Fatal(err)
	}
	if first != 1 || second != 1 {
		t.Errorf("EnqueueUnseen queued %d, EnqueueAll %d, want 1 each", first, second)
	}
	err = s.View(ctx, func(tx *Tx) error {
		changed, err := tx.ChangedLocally("crm", "account", []string{ids["A"], ids["B"], ids["C"]})
		if err == nil && len(changed) != 3 {
			t.Errorf("ChangedLocally = %v, want all three", changed)
		}
		base, err := tx.Baselines("crm", "account", []string{ids["A"], ids["B"], ids["C"]})
		if err == nil && (len(base) != 1 || base[ids["B"]]["name"] != "merged") {
			t.Errorf("Baselines = %v, want B's as set", base)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestQuarantineAndConflicts: on both backends, a record quarantined twice
// counts two attempts, is listed and retried until released or dismissed;
// dismissing an upload's record dismisses its changes; conflicts are
// logged with both versions, newest first.
func TestQuarantineAndConflicts(t *testing.T) { eachBackend(t, testQuarantineAndConflicts) }

func testQuarantineAndConflicts(t *testing.T, s *Store, _ *clock) {
	ctx := context.Background()
	ids := queueWorkspace(t, s)
	err := s.Update(ctx, func(tx *Tx) error {
		if err := tx.UpdateRow("account", ids["A"], map[string]any{"name": "changed"}); err != nil {
			return err
		}
		for _, q := range []Quarantined{
			{Integration: "crm", Entity: "Accounts", Direction: "download", Key: "k1", Reason: "first"},
			{Integration: "crm", Entity: "Accounts", Direction: "download", Key: "k1", Reason: "second"},
			{Integration: "crm", Entity: "Accounts", Direction: "download", Key: "k2", Reason: "gone"},
			{Integration: "crm", Entity: "Accounts", Direction: "upload", RecordID: ids["A"], Reason: "refused"},
		} {
			if err := tx.Quarantine(q); err != nil {
				return err
			}
		}
		if err := tx.Release("crm", "Accounts", "download", "k2", ""); err != nil {
			return err
		}
		for i, winner := range []string{"external", "local"} {
			err := tx.AddConflict(ConflictRecord{Integration: "crm", Entity: "Accounts", Key: fmt.Sprint("k", i), Policy: "newest", Winner: winner,
				Local: map[string]any{"name": "here"}, External: map[string]any{"name": "there"}})
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	list, err := s.QuarantineList(ctx, "crm", false)
	if err != nil || len(list) != 2 || list[0].Key != "k1" || list[0].Attempts != 2 || list[0].Reason != "second" || list[1].RecordID != ids["A"] {
		t.Fatalf("QuarantineList = %+v, %v", list, err)
	}
	if err := s.DismissQuarantined(ctx, "crm", list[1].ID); err != nil {
		t.Fatal(err)
	}
	err = s.View(ctx, func(tx *Tx) error {
		keys, err := tx.QuarantinedKeys("crm", "Accounts")
		if err == nil && !slices.Equal(keys, []string{"k1"}) {
			t.Errorf("QuarantinedKeys = %v, want k1", keys)
		}
		left, err := tx.LocalChanges("crm", "account", "", 10)
		if err == nil && len(left) != 0 {
			t.Errorf("LocalChanges after the dismissal = %+v, want none", left)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if all, err := s.QuarantineList(ctx, "", true); err != nil || len(all) != 2 || !all[1].Dismissed {
		t.Errorf("QuarantineList(all) = %+v, %v", all, err)
	}
	cs, err := s.Conflicts(ctx, "crm", 0)
	if err != nil || len(cs) != 2 || cs[0].Winner != "local" || cs[0].Local["name"] != "here" || cs[0].External["name"] != "there" {
		t.Errorf("Conflicts = %+v, %v", cs, err)
	}
}

// TestUnseenByDateTimeKey: on both backends, a datetime key is recorded
// seen in the workspace's form (milliseconds when whole, else seven
// digits), and a row with that key is seen: on PostgreSQL, which holds
// seven digits always, too. Only the row whose key was not seen is Unseen
// and queued by EnqueueUnseen.
func TestUnseenByDateTimeKey(t *testing.T) { eachBackend(t, testUnseenByDateTimeKey) }

func testUnseenByDateTimeKey(t *testing.T, s *Store, _ *clock) {
	ctx := context.Background()
	err := s.CreateEntity(ctx, entity("event", meta.Field{Name: "at", Type: meta.DateTime}))
	if err == nil {
		err = s.SaveIntegration(ctx, mapping.Integration{Name: "cal", Connector: "odata", Entities: []mapping.EntityMapping{
			{External: "Events", Local: "event", PrimaryKey: "at", Direction: mapping.Bidirectional,
				Fields: []mapping.FieldMapping{{External: "at", Local: "at"}}},
		}})
	}
	keys := []string{"2026-01-31T08:15:00.123Z", "2026-01-31T08:15:00.1234567Z", "2026-01-31T09:00:00.000Z"}
	var seen []string
	for _, k := range keys[:2] {
		v, err := EncodeValue(meta.DateTime, k)
		if err != nil {
			t.Fatal(err)
		}
		seen = append(seen, fmt.Sprint(v))
	}
	var unseen []Row
	var queued int64
	if err == nil {
		err = s.Apply(ctx, func(tx *Tx) error {
			for _, k := range keys {
				if _, err := tx.Insert("event", map[string]any{"at": k}); err != nil {
					return err
				}
			}
			if err := tx.AddSeen("cal", "Events", seen); err != nil {
				return err
			}
			if unseen, err = tx.Unseen("cal", "Events", "event", "at", "", 10); err != nil {
				return err
			}
			queued, err = tx.EnqueueUnseen("cal", "Events", "event", "at", nil)
			return err
		})
	}
	if err != nil {
		t.Fatal(err)
	}
	if len(unseen) != 1 || unseen[0].Values["at"] != keys[2] || queued != 1 {
		t.Errorf("Unseen = %+v, EnqueueUnseen queued %d; want only %s", unseen, queued, keys[2])
	}
}
