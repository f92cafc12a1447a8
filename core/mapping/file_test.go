package mapping

import (
	"bytes"
	"errors"
	"reflect"
	"strings"
	"testing"

	"switchyard/core/schedule"
	"switchyard/core/spec"
)

const sampleFile = `{"format": "switchyard.integration/v1", "name": "crm", "connector": "odata",
 "settings": {"url": "http://127.0.0.1:4004/odata/v4/crm/", "auth": "none", "pagesize": 500, "verbose": true},
 "entities": [{"external": "Accounts", "local": "account", "primaryKey": "externalid",
               "direction": "download", "downloadFilter": "", "uploadFilter": "",
               "fields": [{"external": "ID", "local": "externalid"},
                          {"external": "name", "local": "name"},
                          {"external": "parent_ID", "local": "parentaccountid", "lookup": "account"}]}],
 "schedules": [{"cron": "0 2 * * *", "enabled": true}]}`

func TestDecodeEncodeRoundTrip(t *testing.T) {
	in, err := Decode(strings.NewReader(sampleFile))
	if err != nil {
		t.Fatal(err)
	}
	if in.Name != "crm" || in.Connector != "odata" || in.Settings["pagesize"] != "500" || in.Settings["verbose"] != "true" {
		t.Fatalf("Decode() = %+v", in)
	}
	if len(in.Entities) != 1 || len(in.Entities[0].Fields) != 3 || in.Entities[0].Fields[2].Lookup != "account" {
		t.Fatalf("Decode() entities = %+v", in.Entities)
	}
	if ps := in.Check(); len(ps) != 0 {
		t.Fatalf("Check() = %v", ps)
	}
	in.Secrets = spec.Values{"password": "hunter2"}
	var buf bytes.Buffer
	if err := Encode(&buf, in); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(buf.String(), "hunter2") {
		t.Fatal("Encode() wrote a secret")
	}
	if !strings.HasPrefix(buf.String(), "{\n  \"format\": \"switchyard.integration/v1\"") {
		t.Fatalf("Encode() does not start with the format:\n%s", buf.String())
	}
	again, err := Decode(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(again.Entities[0].Fields[2], in.Entities[0].Fields[2]) || again.Schedules[0] != (schedule.Schedule{Cron: "0 2 * * *", Enabled: true}) {
		t.Fatalf("round trip changed the integration: %+v", again)
	}
}

func TestDecodeProblems(t *testing.T) {
	tests := []struct {
		name, file string
		want       []string
	}{
		{"not json", `{"format": "switchyard.integration/v1",\n "name": }`, []string{"line 2, column 10"}},
		{"empty", ``, []string{"the file is empty"}},
		{"array", `[]`, []string{"one JSON object"}},
		{"no format", `{"name": "x"}`, []string{`format: missing: add "format": "switchyard.integration/v1"`}},
		{"other format", `{"format": "switchyard.integration/v9"}`, []string{`format: "switchyard.integration/v9" is not a format`}},
		{"typo at top", `{"format": "switchyard.integration/v1", "conector": "odata"}`, []string{`conector: unknown key; did you mean "connector"?`}},
		{"typo in field", `{"format": "switchyard.integration/v1", "entities": [{"external": "A", "fields": [{"extrenal": "x"}]}]}`,
			[]string{`entities[0].fields[0].extrenal: unknown key; did you mean "external"?`}},
		{"typo in schedule", `{"format": "switchyard.integration/v1", "schedules": [{"cronn": "x"}]}`, []string{`schedules[0].cronn: unknown key; did you mean "cron"?`}},
		{"bad setting", `{"format": "switchyard.integration/v1", "settings": {"url": ["x"]}}`, []string{`settings.url: must be a string, number or boolean`}},
		{"bad type", `{"format": "switchyard.integration/v1", "entities": [{"external": 5}]}`, []string{`entities.external: must be a string, not a JSON number`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Decode(strings.NewReader(strings.ReplaceAll(tt.file, `\n`, "\n")))
			if err == nil {
				t.Fatal("Decode() = nil error")
			}
			var ps Problems
			if !errors.As(err, &ps) {
				t.Fatalf("Decode() error %T is not Problems: %v", err, err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("Decode() = %q, want it to contain %q", err, w)
				}
			}
		})
	}
}

func TestCheck(t *testing.T) {
	valid := func() Integration {
		in, err := Decode(strings.NewReader(sampleFile))
		if err != nil {
			t.Fatal(err)
		}
		return in
	}
	tests := []struct {
		name   string
		modify func(*Integration)
		want   string
	}{
		{"no name", func(in *Integration) { in.Name = " " }, "name: missing"},
		{"slash in name", func(in *Integration) { in.Name = "a/b" }, "name: \"a/b\": use at most 100 characters"},
		{"no connector", func(in *Integration) { in.Connector = "" }, "connector: missing"},
		{"bad local entity", func(in *Integration) { in.Entities[0].Local = "Account" }, `entities[0].local: "Account": a local entity name uses lower-case`},
		{"bad direction", func(in *Integration) { in.Entities[0].Direction = "sideways" }, `entities[0].direction: "sideways": use download, upload or bidirectional`},
		{"duplicate entity", func(in *Integration) { in.Entities = append(in.Entities, in.Entities[0]) }, `entities[1].external: "Accounts" is already mapped by entities[0]`},
		{"duplicate local field", func(in *Integration) { in.Entities[0].Fields[1].Local = "externalid" }, `entities[0].fields[1].local: "externalid" is already the target of fields[0]`},
		{"system field", func(in *Integration) { in.Entities[0].Fields[1].Local = "modifiedon" }, `entities[0].fields[1].local: "modifiedon" is a system field`},
		{"primary key unmapped", func(in *Integration) { in.Entities[0].PrimaryKey = "code" }, `entities[0].primaryKey: "code" is not among the mapped local fields`},
		{"primary key disabled", func(in *Integration) { in.Entities[0].Fields[0].Disabled = true }, `entities[0].primaryKey: "externalid" is mapped by a disabled field`},
		{"bad schedule", func(in *Integration) { in.Schedules[0].Cron = "0 2 * *" }, `schedules[0]: cron "0 2 * *": has 4 fields, want 5`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := valid()
			tt.modify(&in)
			ps := in.Check()
			if !strings.Contains(ps.Error(), tt.want) {
				t.Fatalf("Check() = %q, want it to contain %q", ps.Error(), tt.want)
			}
		})
	}
}
