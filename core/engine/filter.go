package engine

import (
	"strings"
	"time"

	"switchyard/core/filter"
)

// uploadFilter is the entity's upload filter, checked against its local
// table, with now() fixed at the run's start; nil when it has none. The
// store translates it (into SQL) where it reads the rows to send.
func uploadFilter(p *entityPlan, now time.Time) (filter.Expr, error) {
	if strings.TrimSpace(p.em.UploadFilter) == "" {
		return nil, nil
	}
	e, err := filter.Parse(p.em.UploadFilter)
	if err == nil {
		err = filter.Check(e, p.local)
	}
	if err != nil {
		return nil, configErrorf("upload filter of %s %q: %v", p.em.External, p.em.UploadFilter, err)
	}
	return filter.Resolve(e, now), nil
}

// downloadFilter is the entity's download filter, with now() replaced by the
// run's start so that every page agrees; nil when it has none. Queries carry
// it parsed and as OData text (connector.Query.SetWhere).
func downloadFilter(p *entityPlan, now time.Time) (filter.Expr, error) {
	if strings.TrimSpace(p.em.DownloadFilter) == "" {
		return nil, nil
	}
	e, err := filter.Parse(p.em.DownloadFilter)
	if err == nil && len(p.external.Fields) > 0 {
		err = filter.Check(e, p.external)
	}
	if err != nil {
		return nil, configErrorf("download filter of %s %q: %v", p.em.External, p.em.DownloadFilter, err)
	}
	return filter.Resolve(e, now), nil
}
