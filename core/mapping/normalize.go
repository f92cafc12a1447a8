package mapping

import (
	"regexp"
	"strings"
	"unicode"
)

// publisherRE matches a Dataverse-style publisher prefix such as cr4a1 or
// abc1: a few letters, a digit, a few letters or digits. It is set aside only
// when it comes first and another part follows (cr4a1_region).
var publisherRE = regexp.MustCompile(`^[a-z]{1,4}[0-9][a-z0-9]{0,4}$`)

// knownPublishers are common publisher prefixes without a digit.
var knownPublishers = map[string]bool{"new": true, "msdyn": true, "adx": true, "mspp": true, "msft": true}

// NormalName reduces a field name to what suggestions compare: lower case,
// without separators (_ - . space) or camel-case humps, without a leading
// publisher prefix (new_, cr4a1_), and without the suffixes _value, Id and
// _ID. "_primarycontactid_value", "PrimaryContactId" and "new_primary_contact"
// all become "primarycontact". A name that would reduce to nothing is kept whole.
func NormalName(name string) string {
	parts := splitName(name)
	if len(parts) > 1 && (knownPublishers[parts[0]] || publisherRE.MatchString(parts[0])) && !strings.HasPrefix(name, "_") {
		parts = parts[1:]
	}
	if len(parts) > 1 && parts[len(parts)-1] == "value" {
		parts = parts[:len(parts)-1]
	}
	if len(parts) > 1 && parts[len(parts)-1] == "id" {
		parts = parts[:len(parts)-1]
	}
	s := strings.Join(parts, "")
	// A glued id (accountid, primarycontactid), when enough is left to mean something.
	if len(parts) == 1 && len(s) >= 6 && strings.HasSuffix(s, "id") {
		s = s[:len(s)-2]
	}
	if s == "" {
		return strings.ToLower(name)
	}
	return s
}

// splitName splits a name into lower-case parts at separators and at
// camel-case humps (PostalCode, accountID → account id).
func splitName(name string) []string {
	var parts []string
	var cur []rune
	rs := []rune(name)
	flush := func() {
		if len(cur) > 0 {
			parts = append(parts, strings.ToLower(string(cur)))
			cur = cur[:0]
		}
	}
	for i, r := range rs {
		switch {
		case r == '_' || r == '-' || r == '.' || r == ' ':
			flush()
			continue
		case unicode.IsUpper(r) && i > 0:
			prev := rs[i-1]
			nextLower := i+1 < len(rs) && unicode.IsLower(rs[i+1])
			if unicode.IsLower(prev) || unicode.IsDigit(prev) || (unicode.IsUpper(prev) && nextLower) {
				flush()
			}
		}
		cur = append(cur, r)
	}
	flush()
	return parts
}

// synonymGroups are names that mean the same field, as NormalName renders
// them. The first of each group names it in reasons.
var synonymGroups = [][]string{
	{"email", "emailaddress1", "emailaddress", "mail", "emailaddr"},
	{"phone", "telephone1", "telephone", "phonenumber", "tel", "businessphone"},
	{"mobile", "mobilephone", "cellphone", "cell", "mobilenumber"},
	{"fax", "faxnumber"},
	{"postalcode", "address1postalcode", "zip", "zipcode", "postcode"},
	{"city", "address1city", "town"},
	{"street", "address1line1", "streetaddress", "addressline1", "line1"},
	{"country", "address1country", "countryname"},
	{"state", "address1stateorprovince", "stateorprovince", "province"},
	{"website", "websiteurl", "url", "web", "homepage"},
	{"firstname", "givenname", "forename"},
	{"lastname", "surname", "familyname"},
	{"accountnumber", "accountno", "customernumber"},
	{"revenue", "annualrevenue", "turnover"},
	{"employees", "numberofemployees", "employeecount", "headcount"},
	{"birthdate", "dateofbirth", "dob", "birthday"},
	{"description", "notes", "comment", "comments"},
	{"parentaccount", "parent"},
	{"account", "parentcustomer", "company", "customer"},
	{"name", "accountname", "companyname"},
}

// synonyms maps each normal name to the index of its group.
var synonyms = func() map[string]int {
	m := map[string]int{}
	for i, g := range synonymGroups {
		for _, n := range g {
			m[n] = i
		}
	}
	return m
}()

// singular is a rough singular of an entity name, for comparing "contacts" with "contact".
func singular(name string) string {
	n := NormalName(name)
	switch {
	case strings.HasSuffix(n, "ies") && len(n) > 4:
		return n[:len(n)-3] + "y"
	case strings.HasSuffix(n, "sses"):
		return n[:len(n)-2]
	case strings.HasSuffix(n, "s") && !strings.HasSuffix(n, "ss"):
		return n[:len(n)-1]
	}
	return n
}
