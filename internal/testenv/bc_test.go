package testenv

import "testing"

func TestCAPBusinessCentral(t *testing.T) {
	for _, in := range []string{"http://127.0.0.1:4004/odata/v4/crm/", "http://127.0.0.1:4004", "http://127.0.0.1:4004/odata/v4/bc/customers?$top=1"} {
		if got := CAPBusinessCentral(in); got != "http://127.0.0.1:4004/odata/v4/bc/" {
			t.Errorf("CAPBusinessCentral(%q) = %q", in, got)
		}
	}
}
