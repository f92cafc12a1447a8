package docgen

import (
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"switchyard/core/connector"
	"switchyard/core/spec"
)

func TestSplice(t *testing.T) {
	doc := "intro\n" + Begin("s") + "\nold\n" + End("s") + "\nrest\n"
	tests := []struct {
		name, doc, body, want, err string
	}{
		{"replaced", doc, "new\n", "intro\n" + Begin("s") + "\nnew\n" + End("s") + "\nrest\n", ""},
		{"emptied", doc, "", "intro\n" + Begin("s") + "\n\n" + End("s") + "\nrest\n", ""},
		{"no markers", "intro\n", "x", "", "are missing"},
		{"twice", doc + doc, "x", "", "more than once"},
		{"out of order", End("s") + "\n" + Begin("s") + "\n", "x", "", "before the BEGIN"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Splice(tt.doc, "s", tt.body)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("Splice() error %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("Splice() = %q, %v; want %q", got, err, tt.want)
			}
			if again, _ := Splice(got, "s", tt.body); again != got {
				t.Errorf("Splice is not idempotent: %q", again)
			}
		})
	}
}

func TestOptions(t *testing.T) {
	info := connector.Info{Name: "x", Options: spec.Options{
		{Key: "url", Kind: spec.KindURL, Required: true, Help: "The root."},
		{Key: "auth", Kind: spec.KindEnum, Choices: []string{"none", "basic"}, Default: "none", Help: "How to sign in."},
		{Key: "password", Kind: spec.KindSecret, When: &spec.Condition{Key: "auth", Values: []string{"basic"}}, Help: "a|b", Doc: "More."},
		{Key: "pagesize", Kind: spec.KindInt, Default: "50"},
	}}
	want := "| key | value | default | meaning |\n| --- | --- | --- | --- |\n" +
		"| `url` | http(s) URL, required |  | The root. |\n" +
		"| `auth` | `none`, `basic` | `none` | How to sign in. |\n" +
		"| `password` | secret; with `auth` `basic` |  | a\\|b More. |\n" +
		"| `pagesize` | whole number | `50` |  |\n"
	if got := Options(info); got != want {
		t.Errorf("Options() =\n%s\nwant\n%s", got, want)
	}
}

func TestCLI(t *testing.T) {
	root := &cobra.Command{Use: "tool", Long: "A tool\nfor <things>.\n\nIt works.\n\nExit codes: 0 done."}
	root.PersistentFlags().String("workspace", "", "the workspace `FILE`")
	root.Flags().Bool("version", false, "print the version")
	var out string
	list := &cobra.Command{Use: "list NAME", Short: "List things", Run: func(*cobra.Command, []string) {}}
	list.Flags().StringVarP(&out, "o", "o", "", "write to `FILE`")
	list.Flags().Int("limit", 5, "at most `N`")
	list.Flags().Bool("secret", false, "hidden")
	list.Flags().MarkHidden("secret")
	group := &cobra.Command{Use: "things COMMAND", Short: "Things", Long: "Work with\nthings"}
	group.AddCommand(list)
	root.AddCommand(group)
	got := CLI(root, []ExitCode{{0, "done"}, {3, "usage"}})
	for _, want := range []string{
		"### `tool`\n\nA tool for &lt;things&gt;.\n\nIt works.\n\n### Exit codes",
		"| 0 | done |\n| 3 | usage |\n",
		"| `--version` |  | print the version |\n| `--workspace FILE` |  | the workspace FILE |\n",
		"### `tool things`\n\nWork with things.\n\n### `tool things list`\n\nList things.\n\n```\ntool things list NAME\n```\n",
		"| `--limit N` | `5` | at most N |\n| `-o FILE` |  | write to FILE |\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("CLI() lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "secret") {
		t.Errorf("CLI() lists a hidden flag:\n%s", got)
	}
}
