package admin

import (
	"context"
	"fmt"
	"sort"

	"switchyard/core/store"
)

// valuesScanned bounds the rows FieldValues reads.
const valuesScanned = 5000

// FieldValues returns up to limit values the field of the local entity
// holds, the most frequent first (among the first rows of the entity), for
// the filter editor's value pickers; empty values are left out.
func (s *Service) FieldValues(ctx context.Context, entity, field string, limit int) ([]string, error) {
	ent, err := s.Store.Entity(ctx, entity)
	if err != nil {
		return nil, err
	}
	if _, ok := ent.Field(field); !ok {
		return nil, fmt.Errorf("entity %q has no field %q", entity, field)
	}
	counts := map[string]int{}
	err = s.Store.View(ctx, func(tx *store.Tx) error {
		rows, err := tx.Scan(entity, []string{field}, nil, "", valuesScanned)
		for _, r := range rows {
			if v := r.Values[field]; v != nil {
				if text := fmt.Sprint(v); text != "" {
					counts[text]++
				}
			}
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("read the values of %s.%s: %w", entity, field, err)
	}
	out := make([]string, 0, len(counts))
	for v := range counts {
		out = append(out, v)
	}
	sort.Slice(out, func(i, j int) bool {
		if counts[out[i]] != counts[out[j]] {
			return counts[out[i]] > counts[out[j]]
		}
		return out[i] < out[j]
	})
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}
