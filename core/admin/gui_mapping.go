package admin

import (
	"context"

	"switchyard/core/mapping"
)

// SaveEntityMapping checks em against the cached external schema and the
// local entities, creates the local entities and fields it names that are
// missing, and saves it into the integration called name (replacing the
// mapping of the same external entity). It is what the GUI's Save does on
// the Map metadata screen.
func (s *Service) SaveEntityMapping(ctx context.Context, name string, em mapping.EntityMapping) (EntityImportResult, error) {
	res, _, err := s.SaveEntityMappingFrom(ctx, Loaded{Integration: mapping.Integration{Name: name}}, em)
	return res, err
}

// SuggestedFields returns the field mappings that MapAll makes from ss at
// threshold for the external fields em does not map yet, with the local
// fields em already uses left out of the candidates. em is not changed: the
// caller appends the result to a draft, as Map suggested does before Save.
func SuggestedFields(em mapping.EntityMapping, ss []mapping.Suggestion, threshold int) []mapping.FieldMapping {
	taken := map[string]bool{}
	usedLocal := map[string]bool{}
	for _, f := range em.Fields {
		taken[f.External] = true
		usedLocal[f.Local] = true
	}
	var open []mapping.Suggestion
	for _, sg := range ss {
		if taken[sg.External] {
			continue
		}
		var cs []mapping.Candidate
		for _, c := range sg.Candidates {
			if !usedLocal[c.Local] {
				cs = append(cs, c)
			}
		}
		sg.Candidates = cs
		open = append(open, sg)
	}
	return mapping.MapAll(open, threshold)
}
