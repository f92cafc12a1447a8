package mapping

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
)

// EncodeEntity writes em as an entity mapping file.
func EncodeEntity(w io.Writer, em EntityMapping) error {
	if em.Fields == nil {
		em.Fields = []FieldMapping{}
	}
	return writeFile(w, entityFile{Format: EntityFormat, EntityMapping: em}, "entity mapping file")
}

// DecodeEntity reads an entity mapping file. As Decode does for integration
// files, it reports syntax errors with line and column, and unknown keys,
// wrong value types and a missing or unknown format as Problems naming their
// path (external, fields[2].local, ...). It does not check the content:
// EntityProblems does, within an integration.
func DecodeEntity(r io.Reader) (EntityMapping, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return EntityMapping{}, fmt.Errorf("read entity mapping file: %w", err)
	}
	var raw any
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&raw); err != nil {
		return EntityMapping{}, syntaxProblem(data, err)
	}
	top, ok := raw.(map[string]any)
	if !ok {
		return EntityMapping{}, Problems{{Msg: "the file must hold one JSON object starting with {\"format\": \"" + EntityFormat + "\""}}
	}
	var ps Problems
	switch f, _ := top["format"].(string); {
	case top["format"] == nil:
		ps.add("format", "missing: add \"format\": %q", EntityFormat)
	case f == Format:
		ps.add("format", "%q is a whole integration: import it with `switchyard integration import`", f)
	case f != EntityFormat:
		ps.add("format", "%q is not a format this Switchyard reads: use %q", top["format"], EntityFormat)
	}
	checkKeys(&ps, "", top, append([]string{"format"}, entityKeys...))
	for j, f := range list(top["fields"]) {
		if fm, ok := f.(map[string]any); ok {
			checkField(&ps, fmt.Sprintf("fields[%d]", j), fm)
		}
	}
	if len(ps) > 0 {
		return EntityMapping{}, ps
	}
	normal, err := json.Marshal(top)
	if err != nil {
		return EntityMapping{}, fmt.Errorf("read entity mapping file: %w", err)
	}
	var f entityFile
	if err := json.Unmarshal(normal, &f); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return EntityMapping{}, Problems{{Path: te.Field, Msg: fmt.Sprintf("must be %s, not a JSON %s", jsonKind(te.Type.Kind().String()), te.Value)}}
		}
		return EntityMapping{}, fmt.Errorf("read entity mapping file: %w", err)
	}
	return f.EntityMapping, nil
}

// WithEntity returns a copy of in with em in place of the mapping of the
// same external entity, or appended, and em's index.
func (in Integration) WithEntity(em EntityMapping) (Integration, int) {
	out := in
	out.Entities = append([]EntityMapping(nil), in.Entities...)
	for i, e := range out.Entities {
		if e.External == em.External {
			out.Entities[i] = em
			return out, i
		}
	}
	out.Entities = append(out.Entities, em)
	return out, len(out.Entities) - 1
}

// EntityProblems keeps the problems of ps at entities[index] and rewrites
// their paths relative to an entity mapping file (entities[2].fields[0].local
// becomes fields[0].local).
func EntityProblems(ps Problems, index int) Problems {
	prefix := entityPath(index)
	var out Problems
	for _, p := range ps {
		switch {
		case p.Path == prefix:
			out = append(out, Problem{Msg: p.Msg})
		case strings.HasPrefix(p.Path, prefix+"."):
			out = append(out, Problem{Path: strings.TrimPrefix(p.Path, prefix+"."), Msg: p.Msg})
		}
	}
	return out
}
