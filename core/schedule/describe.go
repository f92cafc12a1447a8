package schedule

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Describe says in words when s runs: "every 15 minutes", "every day at
// 02:00", "every weekday (Monday to Friday) at 07:30", "on day 1 of every
// month at 06:00". A cron expression too intricate to word simply is given
// as written ("cron 5,35 */3 1-7 * *"), and an invalid schedule says why.
func (s Schedule) Describe() string {
	if err := s.Validate(); err != nil {
		return "invalid: " + err.Error()
	}
	if s.Every != "" {
		d, _ := time.ParseDuration(s.Every)
		return "every " + durationWords(d)
	}
	return describeCron(strings.TrimSpace(s.Cron))
}

// Kind says how s is written: "every N minutes" or "cron".
func (s Schedule) Kind() string {
	if s.Every != "" {
		return "interval"
	}
	return "cron"
}

// Expression is s as written: the cron expression, or the interval ("15m").
func (s Schedule) Expression() string {
	if s.Every != "" {
		return s.Every
	}
	return s.Cron
}

// durationWords writes an interval for people: "15 minutes", "2 hours",
// "1 hour 30 minutes", "day".
func durationWords(d time.Duration) string {
	switch {
	case d == 24*time.Hour:
		return "day"
	case d%(24*time.Hour) == 0:
		return fmt.Sprintf("%d days", d/(24*time.Hour))
	case d%time.Hour == 0:
		return count(int(d/time.Hour), "hour", "hours")
	case d < time.Hour && d%time.Minute == 0:
		return count(int(d/time.Minute), "minute", "minutes")
	case d%time.Minute == 0:
		return count(int(d/time.Hour), "hour", "hours") + " " + count(int(d%time.Hour/time.Minute), "minute", "minutes")
	}
	return d.String()
}

// count is n with the singular or plural noun; 1 hour is just "hour" after "every".
func count(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return strconv.Itoa(n) + " " + many
}

var dayNames = []string{"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"}

var monthNames = []string{"", "January", "February", "March", "April", "May", "June", "July", "August",
	"September", "October", "November", "December"}

// descriptors are the @-forms in words.
var descriptors = map[string]string{
	"@yearly": "every year on 1 January at 00:00", "@annually": "every year on 1 January at 00:00",
	"@monthly": "on day 1 of every month at 00:00", "@weekly": "every Sunday at 00:00",
	"@daily": "every day at 00:00", "@midnight": "every day at 00:00", "@hourly": "every hour, on the hour",
}

// describeCron words a five-field cron expression (or a descriptor).
func describeCron(expr string) string {
	if d, ok := descriptors[expr]; ok {
		return d
	}
	if rest, ok := strings.CutPrefix(expr, "@every "); ok {
		if d, err := time.ParseDuration(strings.TrimSpace(rest)); err == nil {
			return "every " + durationWords(d)
		}
	}
	f := strings.Fields(expr)
	if len(f) != 5 {
		return "cron " + expr
	}
	minute, hour, dom, month, dow := f[0], f[1], f[2], f[3], f[4]
	clock, okClock := clockWords(minute, hour)
	days, okDays := dayWords(dom, month, dow)
	if !okClock || !okDays {
		return "cron " + expr
	}
	switch {
	case strings.HasPrefix(clock, "at "):
		return days + " " + clock
	case days == "every day":
		return clock
	}
	return clock + ", " + days
}

// number reads a plain number of a cron field.
func number(s string, lo, hi int) (int, bool) {
	n, err := strconv.Atoi(s)
	return n, err == nil && n >= lo && n <= hi
}

// clockWords words the minute and hour fields: "at 02:00", "at 08:00 and
// 17:30", "every 15 minutes", "every hour at minute 5", "every 2 hours".
func clockWords(minute, hour string) (string, bool) {
	m, okM := number(minute, 0, 59)
	step := func(s string) (int, bool) {
		if rest, ok := strings.CutPrefix(s, "*/"); ok {
			return number(rest, 1, 59)
		}
		return 0, false
	}
	switch {
	case okM && hour != "*" && !strings.ContainsAny(hour, "/-"):
		var times []string
		for _, h := range strings.Split(hour, ",") {
			n, ok := number(h, 0, 23)
			if !ok {
				return "", false
			}
			times = append(times, fmt.Sprintf("%02d:%02d", n, m))
		}
		return "at " + join(times), true
	case minute == "*" && hour == "*":
		return "every minute", true
	case okM && hour == "*" && m == 0:
		return "every hour, on the hour", true
	case okM && hour == "*":
		return fmt.Sprintf("every hour at minute %d", m), true
	}
	if n, ok := step(minute); ok && hour == "*" {
		return "every " + count(n, "minute", "minutes"), true
	}
	if n, ok := step(hour); ok && okM {
		w := "every " + count(n, "hour", "hours")
		if m != 0 {
			w += fmt.Sprintf(" at minute %d", m)
		}
		return w, true
	}
	if lo, hi, ok := strings.Cut(hour, "-"); ok {
		a, okA := number(lo, 0, 23)
		b, okB := number(hi, 0, 23)
		if okA && okB {
			if okM {
				return fmt.Sprintf("every hour at minute %d from %02d:%02d to %02d:%02d", m, a, m, b, m), true
			}
			if n, ok := step(minute); ok {
				return fmt.Sprintf("every %s from %02d:00 to %02d:59", count(n, "minute", "minutes"), a, b), true
			}
		}
	}
	return "", false
}

// dayWords words the day-of-month, month and day-of-week fields: "every
// day", "every Monday and Thursday", "every weekday (Monday to Friday)",
// "on day 1 of every month", "on 1 January".
func dayWords(dom, month, dow string) (string, bool) {
	if dom != "*" && dow != "*" {
		return "", false // cron's "either" rule reads badly in words
	}
	in := ""
	if month != "*" {
		var names []string
		for _, x := range strings.Split(month, ",") {
			n, ok := number(x, 1, 12)
			if !ok {
				return "", false
			}
			names = append(names, monthNames[n])
		}
		in = " in " + join(names)
	}
	switch {
	case dom == "*" && dow == "*":
		if in != "" {
			return "every day" + in, true
		}
		return "every day", true
	case dom != "*":
		var days []string
		for _, x := range strings.Split(dom, ",") {
			n, ok := number(x, 1, 31)
			if !ok {
				return "", false
			}
			days = append(days, strconv.Itoa(n))
		}
		if in == "" {
			return "on day " + join(days) + " of every month", true
		}
		return "on day " + join(days) + in, true
	}
	var names []string
	switch dow {
	case "1-5", "MON-FRI", "mon-fri":
		return "every weekday (Monday to Friday)" + in, true
	case "0,6", "6,0", "6-7", "SAT,SUN", "sat,sun":
		return "every Saturday and Sunday" + in, true
	}
	for _, x := range strings.Split(dow, ",") {
		lo, hi, isRange := strings.Cut(x, "-")
		a, okA := number(lo, 0, 7)
		if !okA {
			return "", false
		}
		if !isRange {
			names = append(names, dayNames[a])
			continue
		}
		b, okB := number(hi, 0, 7)
		if !okB || b < a {
			return "", false
		}
		names = append(names, dayNames[a]+" to "+dayNames[b])
	}
	return "every " + join(names) + in, true
}

// join lists words as people do: "a", "a and b", "a, b and c".
func join(words []string) string {
	switch len(words) {
	case 0:
		return ""
	case 1:
		return words[0]
	}
	return strings.Join(words[:len(words)-1], ", ") + " and " + words[len(words)-1]
}
