package schema

import (
	"strconv"
	"strings"
)

// Allocation-free checks of the formats collection schemas use most, each accepting exactly the
// strings that santhosh-tekuri's own check accepts (format.go there; FuzzFastFormats holds them to
// it). Other formats call the library's check, which may allocate.
var fastFormats = map[string]func(string) bool{
	"date-time": isDateTime,
	"datetime":  isDateTime, // Flow's alias
	"date":      isDate,
	"time":      isTime,
	"uuid":      isUUID,
}

// isDate is time.Parse("2006-01-02", s) == nil: four-digit year, two-digit month and day, a day
// that exists in that month.
func isDate(s string) bool {
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		return false
	}
	year, ok1 := digits(s[0:4])
	month, ok2 := digits(s[5:7])
	day, ok3 := digits(s[8:10])
	return ok1 && ok2 && ok3 && month >= 1 && month <= 12 && day >= 1 && day <= daysIn(month, year)
}

func digits(s string) (int, bool) {
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
		n = n*10 + int(s[i]-'0')
	}
	return n, true
}

func daysIn(month, year int) int {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// isDateTime is RFC 3339 date-time as the library reads it: a date, "T" or "t", a time.
func isDateTime(s string) bool {
	return len(s) >= 20 && (s[10] == 'T' || s[10] == 't') && isDate(s[:10]) && isTime(s[11:])
}

// isTime is RFC 3339 full-time as the library reads it, including its use of strconv.Atoi on the
// colon-separated fields (which lets a field carry a "+" sign) and its leap-second rule.
func isTime(s string) bool {
	if len(s) < 9 || s[2] != ':' || s[5] != ':' {
		return false
	}
	h, m, sec, ok := splitFields3(s[:8])
	if !ok || h > 23 || m > 59 || sec > 60 {
		return false
	}
	rest := s[8:]
	if frac, ok := strings.CutPrefix(rest, "."); ok {
		n := 0
		for n < len(frac) && frac[n] >= '0' && frac[n] <= '9' {
			n++
		}
		if n == 0 {
			return false
		}
		rest = frac[n:]
	}
	if rest != "z" && rest != "Z" {
		if len(rest) != 6 || (rest[0] != '+' && rest[0] != '-') || rest[3] != ':' {
			return false
		}
		sign := 1
		if rest[0] == '+' {
			sign = -1
		}
		zoneH, zoneM, found := strings.Cut(rest[1:], ":")
		zh, err1 := strconv.Atoi(zoneH)
		zm, err2 := strconv.Atoi(zoneM)
		if !found || err1 != nil || err2 != nil || zh < 0 || zm < 0 || zh > 23 || zm > 59 {
			return false
		}
		hm := h*60 + m + sign*(zh*60+zm)
		if hm < 0 {
			hm += 24 * 60
		}
		h, m = hm/60, hm%60
	}
	return sec < 60 || (h == 23 && m == 59) // a leap second only at 23:59 UTC
}

// splitFields3 reads "h:m:s" as strings.SplitN(s, ":", 3) and strconv.Atoi read it, requiring three
// non-negative fields.
func splitFields3(s string) (h, m, sec int, ok bool) {
	first, rest, found1 := strings.Cut(s, ":")
	second, third, found2 := strings.Cut(rest, ":")
	if !found1 || !found2 {
		return 0, 0, 0, false
	}
	var fields [3]int
	for i, f := range [3]string{first, second, third} {
		n, err := strconv.Atoi(f)
		if err != nil || n < 0 {
			return 0, 0, 0, false
		}
		fields[i] = n
	}
	return fields[0], fields[1], fields[2], true
}

// isUUID is five dash-separated groups of 8, 4, 4, 4 and 12 hexadecimal digits, either case.
func isUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
				return false
			}
		}
	}
	return true
}
