package mapping

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

// fuzzSeedsIntegration are integration files, good and broken, that reach
// Decode's branches: every object kind, values of the wrong JSON type, unknown
// keys, a wrong format and malformed JSON.
var fuzzSeedsIntegration = []string{
	`{"format": "switchyard.integration/v1", "name": "crm", "connector": "odata",
 "settings": {"url": "http://127.0.0.1:4004/odata/v4/crm/", "auth": "none", "timeout": 30, "verbose": true},
 "entities": [{"external": "Accounts", "local": "account", "primaryKey": "externalid", "direction": "bidirectional",
   "downloadFilter": "revenue gt 1000", "uploadFilter": "", "disabled": false, "conflict": "",
   "fields": [{"external": "ID", "local": "externalid"},
              {"external": "status", "local": "status", "values": [{"external": "1", "local": "active", "label": "Active"}],
               "otherValues": "keep", "default": 0, "constant": null, "keepWhenEmpty": true,
               "rules": [{"rule": "maxLength", "length": 10}, {"rule": "range", "min": 0, "max": 9.5, "message": "m"}]},
              {"external": "parent_ID", "local": "parent", "lookup": "account", "disabled": true}]}],
 "schedules": [{"cron": "0 2 * * *", "enabled": true}, {"every": "15m"}]}`,
	`{"format": "switchyard.integration/v1", "name": 3, "entities": {"x": 1}, "schedules": "daily"}`,
	`{"format": "switchyard.integration/v2"}`,
	`{"name": "x", "typo": 1, "entities": [{"external": "A", "fields": [{"exteral": "a"}]}]}`,
	`{"format": "switchyard.integration/v1", "entities": [{"fields": [{"rules": [{"rule": "pattern", "pattern": "("}]}]}]}`,
	`[1, 2]`,
	`{"format": "switchyard.integration/v1",`,
	"{\"format\": \"switchyard.integration/v1\", \"name\": \"\xff\xfe\"}",
	`{"format": "switchyard.integration/v1", "settings": {"a": {"b": 1}, "c": [1], "d": 1e400}}`,
	``,
}

// FuzzDecodeIntegration checks that Decode never panics, that it fails with
// Problems or a read error rather than half a result, and that what it
// accepts encodes and decodes again to the same integration.
func FuzzDecodeIntegration(f *testing.F) {
	for _, s := range fuzzSeedsIntegration {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		in, err := Decode(bytes.NewReader(data))
		if err != nil {
			if err.Error() == "" {
				t.Fatal("Decode failed with an empty message")
			}
			var ps Problems
			if errors.As(err, &ps) && len(ps) == 0 {
				t.Fatal("Decode failed with an empty list of problems")
			}
			return
		}
		_ = in.Check()
		var buf bytes.Buffer
		if err := Encode(&buf, in); err != nil {
			t.Fatalf("Encode of a decoded file: %v", err)
		}
		first := buf.String()
		back, err := Decode(&buf)
		if err != nil {
			t.Fatalf("a decoded file, encoded again, does not decode: %v\n%s", err, first)
		}
		var again bytes.Buffer
		if err := Encode(&again, back); err != nil {
			t.Fatalf("Encode again: %v", err)
		}
		if first != again.String() {
			t.Fatalf("encode, decode, encode is not stable:\n%s\n---\n%s", first, strings.TrimSpace(again.String()))
		}
	})
}
