package engine

import (
	"strings"
	"time"

	"switchyard/core/filter"
	"switchyard/core/store"
)

// uploadWhere translates the entity's upload filter into a condition on its
// local table, with bound arguments; now() is fixed at the run's start.
func uploadWhere(p *entityPlan, now time.Time) (string, []any, error) {
	if strings.TrimSpace(p.em.UploadFilter) == "" {
		return "", nil, nil
	}
	e, err := filter.Parse(p.em.UploadFilter)
	if err == nil {
		err = filter.Check(e, p.local)
	}
	if err != nil {
		return "", nil, configErrorf("upload filter of %s %q: %v", p.em.External, p.em.UploadFilter, err)
	}
	where, args := filter.ToSQL(filter.Resolve(e, now), store.QuoteIdent)
	return where, args, nil
}

// downloadFilter is the entity's download filter as OData text for the
// server, with now() replaced by the run's start so that every page agrees.
func downloadFilter(p *entityPlan, now time.Time) (string, error) {
	if strings.TrimSpace(p.em.DownloadFilter) == "" {
		return "", nil
	}
	e, err := filter.Parse(p.em.DownloadFilter)
	if err == nil && len(p.external.Fields) > 0 {
		err = filter.Check(e, p.external)
	}
	if err != nil {
		return "", configErrorf("download filter of %s %q: %v", p.em.External, p.em.DownloadFilter, err)
	}
	return filter.ToOData(filter.Resolve(e, now)), nil
}
