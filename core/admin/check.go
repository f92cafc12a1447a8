package admin

import (
	"context"

	"switchyard/core/mapping"
)

// CheckResult is what checking an integration's mapping found and, after a
// clean-up, what the clean-up removed.
type CheckResult struct {
	Integration string `json:"integration"`
	// Findings are what is still wrong after any clean-up, in file order.
	Findings []mapping.Finding `json:"findings"`
	// CleanedUp are the findings that the clean-up resolved by removing mappings.
	CleanedUp []mapping.Finding `json:"cleanedUp"`
}

// Check checks the mapping of the integration called name against its cached
// external schema (read and cached first when there is none) and the local
// schema, as before every run; see mapping.Validate for what it reports.
func (s *Service) Check(ctx context.Context, name string) (CheckResult, error) {
	in, findings, err := s.validate(ctx, name)
	if err != nil {
		return CheckResult{}, err
	}
	return CheckResult{Integration: in.Name, Findings: nonNilFindings(findings), CleanedUp: []mapping.Finding{}}, nil
}

// CleanUp checks the integration called name as Check does, removes the
// mappings of external entities and fields that no longer exist, and the
// lookups that then point to entities no longer mapped, saves the
// integration, and returns what it removed and what is left to fix by hand.
func (s *Service) CleanUp(ctx context.Context, name string) (CheckResult, error) {
	if err := s.mayWrite(); err != nil {
		return CheckResult{}, err
	}
	in, findings, err := s.validate(ctx, name)
	if err != nil {
		return CheckResult{}, err
	}
	res := CheckResult{Integration: in.Name, CleanedUp: []mapping.Finding{}}
	// Removing a mapping can leave another without what it needs (a lookup
	// to an entity no longer mapped): clean up until nothing more can be.
	for range 5 {
		cleaned, done := mapping.CleanUp(in, findings)
		if len(done) == 0 {
			break
		}
		res.CleanedUp = append(res.CleanedUp, done...)
		if err := s.Store.SaveIntegration(ctx, cleaned); err != nil {
			return res, err
		}
		if in, findings, err = s.validate(ctx, name); err != nil {
			return res, err
		}
	}
	res.Findings = nonNilFindings(findings)
	return res, nil
}

// validate loads the integration and both schemas and validates the mapping.
func (s *Service) validate(ctx context.Context, name string) (mapping.Integration, []mapping.Finding, error) {
	in, err := s.Store.Integration(ctx, name)
	if err != nil {
		return in, nil, err
	}
	external, err := s.Catalog(ctx, name, false)
	if err != nil {
		return in, nil, err
	}
	local, err := s.Store.Entities(ctx)
	if err != nil {
		return in, nil, err
	}
	return in, mapping.Validate(in, external, local), nil
}

func nonNilFindings(fs []mapping.Finding) []mapping.Finding {
	if fs == nil {
		return []mapping.Finding{}
	}
	return fs
}
