package schedule

import (
	"strings"
	"testing"
)

func TestValidate(t *testing.T) {
	tests := []struct {
		in   Schedule
		want string // "" when valid
	}{
		{Schedule{Cron: "0 2 * * *"}, ""},
		{Schedule{Every: "15m"}, ""},
		{Schedule{}, "set either cron"},
		{Schedule{Cron: "0 2 * * *", Every: "1h"}, "not both"},
		{Schedule{Every: "30s"}, "at least a minute"},
		{Schedule{Every: "often"}, `every "often"`},
		{Schedule{Cron: "0 2 * * * *"}, "has 6 fields, want 5"},
	}
	for _, tt := range tests {
		err := tt.in.Validate()
		if tt.want == "" && err != nil || tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)) {
			t.Errorf("%+v.Validate() = %v, want %q", tt.in, err, tt.want)
		}
	}
}
