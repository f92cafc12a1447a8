package mapping

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"switchyard/core/meta"
)

// SuggestThreshold is the score from which "map all suggested" takes a candidate.
const SuggestThreshold = 60

// Candidate is one local field suggested for an external field.
type Candidate struct {
	Local string `json:"local"`
	// Score runs from 1 to 100; higher is better.
	Score int `json:"score"`
	// Reason says why, e.g. "same name once prefixes, suffixes and separators are set aside".
	Reason string `json:"reason"`
	// Lookup is the local entity the candidate points to, when it is a lookup field.
	Lookup string `json:"lookup,omitempty"`
}

// Suggestion is the ranked local candidates for one external field.
type Suggestion struct {
	External string    `json:"external"`
	Type     meta.Type `json:"type"`
	// Target is the external entity the field refers to, when it holds a lookup's key.
	Target     string      `json:"target,omitempty"`
	Candidates []Candidate `json:"candidates"`
}

// Best returns the best candidate, if there is one.
func (s Suggestion) Best() (Candidate, bool) {
	if len(s.Candidates) == 0 {
		return Candidate{}, false
	}
	return s.Candidates[0], true
}

// SuggestOptions is what suggestions know of the integration beyond the two entities.
type SuggestOptions struct {
	// Mapped maps external entity names to the local entities the integration
	// maps them to: a lookup whose target fits ranks first.
	Mapped map[string]string
	// PrimaryKey is the local field that holds the external key, when chosen already.
	PrimaryKey string
}

// keyFieldNames are the usual names of the local field holding the external key.
var keyFieldNames = []string{"externalid", "external_id", "externalkey", "external_key", "sourceid", "source_id"}

// localIndex is the local entity prepared for fast candidate look-ups.
type localIndex struct {
	fields  []meta.Field
	exact   map[string]int
	folded  map[string][]int
	normal  map[string][]int
	synonym map[int][]int
	lookups map[string][]int // by target
}

func indexLocal(local meta.Entity) localIndex {
	ix := localIndex{exact: map[string]int{}, folded: map[string][]int{}, normal: map[string][]int{}, synonym: map[int][]int{}, lookups: map[string][]int{}}
	for _, f := range local.Fields {
		if isSystemField(f.Name) || f.ReadOnly {
			continue
		}
		i := len(ix.fields)
		ix.fields = append(ix.fields, f)
		ix.exact[f.Name] = i
		ix.folded[strings.ToLower(f.Name)] = append(ix.folded[strings.ToLower(f.Name)], i)
		n := NormalName(f.Name)
		ix.normal[n] = append(ix.normal[n], i)
		if g, ok := synonyms[n]; ok {
			ix.synonym[g] = append(ix.synonym[g], i)
		}
		if f.Type == meta.Lookup {
			ix.lookups[f.Target] = append(ix.lookups[f.Target], i)
		}
	}
	return ix
}

// Suggest ranks, for each field of the external entity ext, the fields of the
// local entity that could take its values, best first. A candidate needs a
// name that fits (the same name; the same once case, separators, publisher
// prefixes and the suffixes _value, Id and _ID are set aside; a known synonym;
// or the field holding the external key) and a type that can hold the
// values; a fitting lookup target and the same type rank higher. A local
// lookup is only suggested for an external field holding the key of an
// entity that maps to the lookup's target. Navigation properties whose key
// is held by a field of their own (parentaccountid with
// _parentaccountid_value) are left out: map the key field.
func Suggest(ext, local meta.Entity, opt SuggestOptions) []Suggestion {
	ix := indexLocal(local)
	// navs maps a foreign key field to the external entities its navigation properties point to.
	navs := map[string][]string{}
	for _, f := range ext.Fields {
		if f.Type == meta.Lookup && f.ForeignKey != "" {
			navs[f.ForeignKey] = append(navs[f.ForeignKey], f.Target)
		}
	}
	var out []Suggestion
	for _, xf := range ext.Fields {
		if xf.Type == meta.Lookup && xf.ForeignKey != "" {
			continue
		}
		targets := navs[xf.Name]
		if xf.Type == meta.Lookup {
			targets = []string{xf.Target}
		}
		out = append(out, ix.suggest(xf, targets, slices.Contains(ext.Key, xf.Name), opt))
	}
	return out
}

// suggest ranks the local fields for the external field xf, whose values
// point to the external entities targets (if any); isKey says xf is a key.
func (ix localIndex) suggest(xf meta.Field, targets []string, isKey bool, opt SuggestOptions) Suggestion {
	s := Suggestion{External: xf.Name, Type: xf.Type, Candidates: []Candidate{}}
	if len(targets) > 0 {
		s.Target = targets[0]
	}
	best := map[int]Candidate{}
	consider := func(i, nameScore int, reason string) {
		c, ok := score(xf, ix.fields[i], nameScore, reason, targets, opt.Mapped)
		if ok && c.Score > best[i].Score {
			best[i] = c
		}
	}
	if i, ok := ix.exact[xf.Name]; ok {
		consider(i, 100, "same name")
	}
	for _, i := range ix.folded[strings.ToLower(xf.Name)] {
		consider(i, 95, "same name apart from case")
	}
	n := NormalName(xf.Name)
	for _, i := range ix.normal[n] {
		consider(i, 85, fmt.Sprintf("same name once case, separators, prefixes and suffixes are set aside (%s)", n))
	}
	if g, ok := synonyms[n]; ok {
		for _, i := range ix.synonym[g] {
			consider(i, 75, fmt.Sprintf("known synonym: %s ↔ %s", xf.Name, ix.fields[i].Name))
		}
	}
	if isKey {
		for j, f := range ix.fields {
			if f.Name == opt.PrimaryKey || contains(keyFieldNames, f.Name) {
				consider(j, 80, "holds the external key")
			}
		}
	}
	for _, t := range targets {
		want := opt.Mapped[t]
		if want == "" {
			continue
		}
		list := ix.lookups[want]
		for _, i := range list {
			if len(list) == 1 {
				consider(i, 55, fmt.Sprintf("the only lookup to %s", want))
			} else {
				consider(i, 45, fmt.Sprintf("a lookup to %s", want))
			}
		}
	}
	for i, c := range best {
		c.Local = ix.fields[i].Name
		s.Candidates = append(s.Candidates, c)
	}
	sort.Slice(s.Candidates, func(a, b int) bool {
		ca, cb := s.Candidates[a], s.Candidates[b]
		if ca.Score != cb.Score {
			return ca.Score > cb.Score
		}
		return ca.Local < cb.Local
	})
	return s
}

// score adds the type and lookup fit to a name score; ok is false when the
// local field lf cannot take the values of xf.
func score(xf, lf meta.Field, nameScore int, reason string, targets []string, mapped map[string]string) (Candidate, bool) {
	c := Candidate{Score: nameScore}
	reasons := []string{reason}
	switch {
	case lf.Type == meta.Lookup:
		if len(targets) == 0 {
			return c, false // a lookup takes keys of a known entity only
		}
		fit := ""
		for _, t := range targets {
			if want := mapped[t]; want != "" && want == lf.Target {
				fit = fmt.Sprintf("a lookup to %s, which %s maps to", lf.Target, t)
				c.Score += 20
				break
			}
			if mapped[t] == "" && singular(t) == singular(lf.Target) {
				fit = fmt.Sprintf("a lookup to %s, named like %s", lf.Target, t)
				c.Score += 10
				break
			}
		}
		if fit == "" {
			return c, false
		}
		reasons = append(reasons, fit)
		c.Lookup = lf.Target
	case xf.Type == meta.Lookup:
		// A navigation property without a key field of its own: its key as text.
		if lf.Type != meta.String && lf.Type != meta.GUID {
			return c, false
		}
		c.Score -= 10
		reasons = append(reasons, "holds the key of "+xf.Target+", not a lookup")
	case !Convertible(xf.Type, lf.Type):
		return c, false
	case len(targets) > 0:
		c.Score -= 10
		reasons = append(reasons, fmt.Sprintf("holds the key of %s as %s, not as a lookup", targets[0], lf.Type))
	case xf.Type == lf.Type:
		c.Score += 10
		reasons = append(reasons, "same type")
	case lf.Type == meta.String:
		c.Score -= 5
		reasons = append(reasons, fmt.Sprintf("%s stored as text", xf.Type))
	default:
		reasons = append(reasons, fmt.Sprintf("%s fits %s", xf.Type, lf.Type))
	}
	c.Score = min(max(c.Score, 1), 100)
	c.Reason = strings.Join(reasons, "; ")
	return c, true
}

// MapAll takes, for each suggestion, the best candidate scoring at least
// threshold, each local field at most once (the higher score wins a field
// two external fields want), and returns the field mappings in the order of
// the suggestions. Candidates that are lookups map as lookups.
func MapAll(ss []Suggestion, threshold int) []FieldMapping {
	type pick struct {
		s, c, score int
	}
	var picks []pick
	for i, s := range ss {
		for j, c := range s.Candidates {
			if c.Score >= threshold {
				picks = append(picks, pick{i, j, c.Score})
			}
		}
	}
	sort.SliceStable(picks, func(a, b int) bool { return picks[a].score > picks[b].score })
	chosen := make([]int, len(ss))
	for i := range chosen {
		chosen[i] = -1
	}
	used := map[string]bool{}
	for _, p := range picks {
		c := ss[p.s].Candidates[p.c]
		if chosen[p.s] >= 0 || used[c.Local] {
			continue
		}
		chosen[p.s] = p.c
		used[c.Local] = true
	}
	var out []FieldMapping
	for i, s := range ss {
		if chosen[i] < 0 {
			continue
		}
		c := s.Candidates[chosen[i]]
		out = append(out, FieldMapping{External: s.External, Local: c.Local, Lookup: c.Lookup})
	}
	return out
}
