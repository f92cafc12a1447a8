package docgen

import (
	"fmt"
	"strings"

	"switchyard/core/connector"
	"switchyard/core/spec"
)

// OptionsSection names the generated section of a connector's settings in docs/integration-file.md.
func OptionsSection(connectorName string) string { return connectorName + " settings" }

// Options is the Markdown table of a connector's settings: each option's
// key, value, default and meaning (its Help and Doc), from its declaration
// in the registry.
func Options(info connector.Info) string {
	var b strings.Builder
	b.WriteString("| key | value | default | meaning |\n| --- | --- | --- | --- |\n")
	for _, o := range info.Options {
		fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", code(o.Key), cell(valueText(o)), cell(code(o.Default)), cell(strings.TrimSpace(o.Help+" "+o.Doc)))
	}
	return b.String()
}

// valueText says what value o takes, whether it is required, and when it applies.
func valueText(o spec.Option) string {
	kinds := map[spec.Kind]string{
		spec.KindString: "text", spec.KindSecret: "secret", spec.KindInt: "whole number",
		spec.KindBool: "`true` or `false`", spec.KindURL: "http(s) URL",
	}
	v := kinds[o.Kind]
	if o.Kind == spec.KindEnum {
		v = codes(o.Choices, ", ")
	}
	if o.Required {
		v += ", required"
	}
	if o.When != nil {
		v += fmt.Sprintf("; with `%s` %s", o.When.Key, codes(o.When.Values, " or "))
	}
	return v
}
