package meta

import "testing"

func TestParseType(t *testing.T) {
	tests := []struct {
		in      string
		want    Type
		wantErr bool
	}{
		{"string", String, false},
		{" DateTime ", DateTime, false},
		{"lookup", Lookup, false},
		{"varchar", "", true},
		{"", "", true},
	}
	for _, tt := range tests {
		got, err := ParseType(tt.in)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("ParseType(%q) = %q, %v; want %q, error %v", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestEntityField(t *testing.T) {
	e := Entity{Name: "account", Fields: []Field{{Name: "name", Type: String}, {Name: "parent", Type: Lookup, Target: "account"}}}
	if f, ok := e.Field("parent"); !ok || f.Target != "account" {
		t.Fatalf("Field(parent) = %+v, %v", f, ok)
	}
	if _, ok := e.Field("Name"); ok {
		t.Fatal("Field matched a name of another case")
	}
	if got := e.Lookups(); len(got) != 1 || got[0].Name != "parent" {
		t.Fatalf("Lookups() = %+v", got)
	}
	if _, ok := FindEntity([]Entity{e}, "account"); !ok {
		t.Fatal("FindEntity(account) not found")
	}
}

func TestFieldEqual(t *testing.T) {
	a := Field{Name: "gender", Type: String, Enum: []EnumMember{{"Male", "0"}, {"Female", "1"}}}
	b := a
	b.Enum = append([]EnumMember(nil), a.Enum...)
	if !a.Equal(b) {
		t.Error("equal fields differ")
	}
	b.Enum[1].Value = "2"
	if a.Equal(b) {
		t.Error("a changed enum value went unseen")
	}
	c := a
	c.CreateOnly = true
	if a.Equal(c) {
		t.Error("a changed flag went unseen")
	}
	if !(Field{Name: "x", Enum: []EnumMember{}}).Equal(Field{Name: "x"}) {
		t.Error("an empty enum differs from none")
	}
}

func TestWiden(t *testing.T) {
	tests := []struct{ a, b, want Type }{
		{"", Int, Int}, {Int, "", Int}, {Int, Int, Int}, {Int, Decimal, Decimal}, {Decimal, Int, Decimal},
		{Date, DateTime, DateTime}, {DateTime, Date, DateTime}, {Int, Bool, String}, {GUID, String, String},
	}
	for _, tt := range tests {
		if got := Widen(tt.a, tt.b); got != tt.want {
			t.Errorf("Widen(%q, %q) = %q, want %q", tt.a, tt.b, got, tt.want)
		}
	}
}
