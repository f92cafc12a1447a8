package mapping

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"

	"switchyard/core/nearest"
)

// Format identifies version 1 of the integration file.
const Format = "switchyard.integration/v1"

// file is the integration file as written: the format tag first, then the integration.
type file struct {
	Format string `json:"format"`
	Integration
}

// EntityFormat identifies version 1 of the entity mapping file: one entity
// mapping of an integration, to move between integrations and workspaces.
const EntityFormat = "switchyard.entity-mapping/v1"

// entityFile is the entity mapping file as written: the format tag, then the
// entity mapping's own keys, as in the entities[] of an integration file.
type entityFile struct {
	Format string `json:"format"`
	EntityMapping
}

// Encode writes in as an integration file. Secrets are never written.
func Encode(w io.Writer, in Integration) error {
	if in.Entities == nil {
		in.Entities = []EntityMapping{}
	}
	for i := range in.Entities {
		if in.Entities[i].Fields == nil {
			in.Entities[i].Fields = []FieldMapping{}
		}
	}
	if in.Schedules == nil {
		in.Schedules = nil
	}
	return writeFile(w, file{Format: Format, Integration: in}, "integration file")
}

// writeFile writes v as the files of this package are written: indented
// JSON, with & < > kept readable; what names the file in the error.
func writeFile(w io.Writer, v any, what string) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("write %s: %w", what, err)
	}
	return nil
}

// The keys each object of the file may hold; anything else is a typo worth reporting.
var (
	topKeys      = []string{"format", "name", "connector", "settings", "entities", "schedules"}
	entityKeys   = []string{"external", "local", "primaryKey", "direction", "downloadFilter", "uploadFilter", "disabled", "conflict", "fields"}
	fieldKeys    = []string{"external", "local", "lookup", "disabled", "values", "otherValues", "default", "constant", "rules", "keepWhenEmpty", "missingParent"}
	valueKeys    = []string{"external", "local", "label"}
	ruleKeys     = []string{"rule", "length", "pattern", "min", "max", "message"}
	scheduleKeys = []string{"cron", "every", "enabled"}
)

// Decode reads an integration file. Unknown keys, wrong value types and a
// missing or unknown format are reported as Problems naming their path;
// malformed JSON is reported with its line and column. Setting values may be
// written as JSON strings, numbers or booleans. Decode does not check the
// content: call Check and CheckSchemas for that.
func Decode(r io.Reader) (Integration, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return Integration{}, fmt.Errorf("read integration file: %w", err)
	}
	var raw any
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&raw); err != nil {
		return Integration{}, syntaxProblem(data, err)
	}
	var ps Problems
	top, ok := raw.(map[string]any)
	if !ok {
		return Integration{}, Problems{{Msg: "the file must hold one JSON object starting with {\"format\": \"" + Format + "\""}}
	}
	switch f, _ := top["format"].(string); {
	case top["format"] == nil:
		ps.add("format", "missing: add \"format\": %q", Format)
	case f != Format:
		ps.add("format", "%q is not a format this Switchyard reads: use %q", top["format"], Format)
	}
	checkKeys(&ps, "", top, topKeys)
	if s, ok := top["settings"].(map[string]any); ok {
		for k := range s {
			scalarText(&ps, "settings", s, k)
		}
	}
	for i, e := range list(top["entities"]) {
		em, ok := e.(map[string]any)
		if !ok {
			continue
		}
		checkKeys(&ps, entityPath(i), em, entityKeys)
		for j, f := range list(em["fields"]) {
			if fm, ok := f.(map[string]any); ok {
				checkField(&ps, fieldPath(i, j), fm)
			}
		}
	}
	for k, s := range list(top["schedules"]) {
		if sm, ok := s.(map[string]any); ok {
			checkKeys(&ps, schedulePath(k), sm, scheduleKeys)
		}
	}
	if len(ps) > 0 {
		return Integration{}, ps
	}
	normal, err := json.Marshal(top)
	if err != nil {
		return Integration{}, fmt.Errorf("read integration file: %w", err)
	}
	var f file
	if err := json.Unmarshal(normal, &f); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return Integration{}, Problems{{Path: te.Field, Msg: fmt.Sprintf("must be %s, not a JSON %s", jsonKind(te.Type.Kind().String()), te.Value)}}
		}
		return Integration{}, fmt.Errorf("read integration file: %w", err)
	}
	return f.Integration, nil
}

// checkField checks the keys of one field mapping object at path fp and
// turns its values written as numbers or booleans into text.
func checkField(ps *Problems, fp string, fm map[string]any) {
	checkKeys(ps, fp, fm, fieldKeys)
	for _, k := range []string{"default", "constant"} {
		scalarText(ps, fp, fm, k)
	}
	for k, v := range list(fm["values"]) {
		if vm, ok := v.(map[string]any); ok {
			vp := fmt.Sprintf("%s.values[%d]", fp, k)
			checkKeys(ps, vp, vm, valueKeys)
			scalarText(ps, vp, vm, "external")
			scalarText(ps, vp, vm, "local")
		}
	}
	for k, r := range list(fm["rules"]) {
		if rm, ok := r.(map[string]any); ok {
			checkKeys(ps, fmt.Sprintf("%s.rules[%d]", fp, k), rm, ruleKeys)
		}
	}
}

// scalarText turns obj[key], a string, number or boolean, into text; null
// removes it; anything else is a problem at path.key.
func scalarText(ps *Problems, path string, obj map[string]any, key string) {
	v, ok := obj[key]
	if !ok {
		return
	}
	switch v := v.(type) {
	case string:
	case json.Number:
		obj[key] = v.String()
	case bool:
		obj[key] = strconv.FormatBool(v)
	case nil:
		delete(obj, key)
	default:
		ps.add(path+"."+key, "must be a string, number or boolean")
	}
}

func list(v any) []any {
	l, _ := v.([]any)
	return l
}

func checkKeys(ps *Problems, path string, obj map[string]any, known []string) {
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if !contains(known, k) {
			p := k
			if path != "" {
				p = path + "." + k
			}
			msg := fmt.Sprintf("unknown key; use one of %s", strings.Join(known, ", "))
			if near := nearest.Name(k, known); near != "" {
				msg = fmt.Sprintf("unknown key; did you mean %q?", near)
			}
			ps.add(p, "%s", msg)
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func jsonKind(goKind string) string {
	switch goKind {
	case "string":
		return "a string"
	case "bool":
		return "true or false"
	case "slice":
		return "a list"
	case "struct", "map":
		return "an object"
	}
	return "a " + goKind
}

// syntaxProblem turns a JSON syntax error into a Problem with line and column.
func syntaxProblem(data []byte, err error) error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		line, col := lineCol(data, se.Offset)
		return Problems{{Msg: fmt.Sprintf("line %d, column %d: %v: check the JSON syntax", line, col, se)}}
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return Problems{{Msg: "the file is empty or ends too early: it must hold one JSON object"}}
	}
	return fmt.Errorf("read integration file: %w", err)
}

func lineCol(data []byte, offset int64) (line, col int) {
	line, col = 1, 1
	for i := int64(0); i < offset-1 && i < int64(len(data)); i++ {
		if data[i] == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
	return line, col
}
