package store

import "testing"

func TestTitle(t *testing.T) {
	for _, tc := range []struct{ path, want string }{
		{"/home/ann/.local/share/switchyard/workspace.db", "workspace.db"},
		{"crm.db", "crm.db"},
		{":memory:", ":memory:"},
		{"postgres://ann:secret@db.example.com/switchyard?options=-csearch_path%3Dteam", "team on db.example.com:5432/switchyard"},
		{"postgresql://ann@db.example.com:5499/sy?options=-c%20search_path%3Dsales,public&sslmode=disable", "sales on db.example.com:5499/sy"},
		{"postgres://ann:secret@127.0.0.1:5432/switchyard", "127.0.0.1:5432/switchyard"},
		{"postgres://ann@db.example.com/switchyard?search_path=ops,public", "ops on db.example.com:5432/switchyard"},
	} {
		if got := Title(tc.path); got != tc.want {
			t.Errorf("Title(%q) = %q, want %q", tc.path, got, tc.want)
		}
	}
}

func TestWithoutPassword(t *testing.T) {
	for _, tc := range []struct{ path, want string }{
		{"/srv/w.db", "/srv/w.db"},
		{"postgres://ann:s3cret@db.example.com/switchyard?options=-csearch_path%3Dteam", "postgres://ann@db.example.com/switchyard?options=-csearch_path%3Dteam"},
		{"postgres://db.example.com/switchyard", "postgres://db.example.com/switchyard"},
	} {
		if got := WithoutPassword(tc.path); got != tc.want {
			t.Errorf("WithoutPassword(%q) = %q, want %q", tc.path, got, tc.want)
		}
	}
}

func TestURLSchema(t *testing.T) {
	for _, tc := range []struct{ url, want string }{
		{"postgres://db/sy?options=-csearch_path%3DTeam", "team"},
		{`postgres://db/sy?options=-csearch_path%3D%22Team%22`, "Team"},
		{"postgres://db/sy?options=-c%20search_path%3Dops,public", "ops"},
		{"postgres://db/sy?search_path=Sales", "sales"},
		{"postgres://db/sy", ""},
	} {
		if got := urlSchema(tc.url); got != tc.want {
			t.Errorf("urlSchema(%q) = %q, want %q", tc.url, got, tc.want)
		}
	}
}
