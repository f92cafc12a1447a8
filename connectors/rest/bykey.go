package rest

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"switchyard/connectors/httpx"
	"switchyard/core/connector"
	"switchyard/core/filter"
	"switchyard/core/meta"
)

// Reads by a list of keys (the engine's "key in (a,b,…)", split to fit
// FilterRoom) never cost one request per record of the entity: the API's own
// filters carry the keys when its filter style can (json-server: id=a&id=b);
// otherwise a few keys are read one GET of the item path each (when the item
// path is the API's own, see Endpoint.itemKnown), and more keys by reading
// the list once, at the entity's page size, until every key has been seen.
const (
	// fewKeys is how many keys are always read by item GETs.
	fewKeys = 10
	// minMaxURL is the smallest maxurl setting: room for a read at all.
	minMaxURL = 512
	// DefaultMaxURL is the maxurl setting's default: below the limits of
	// common servers (IIS 16 KB of query, Node.js 16 KB of headers).
	DefaultMaxURL = 8000
	// urlSlack is kept free of the URL budget besides what FilterRoom counts.
	urlSlack = 16
)

// listSize is what unfiltered reads of an entity found: its total, and the
// page size the server caps its pages at (0 when none was seen).
type listSize struct {
	total int64
	cap   int
}

// noteSize keeps what the first page of an unfiltered read of entity found.
func (c *Client) noteSize(entity string, lp listPage, asked int) {
	if lp.total < 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.sizes == nil {
		c.sizes = map[string]listSize{}
	}
	s := c.sizes[entity]
	s.total = lp.total
	if lp.size > 0 && lp.size < asked {
		s.cap = lp.size
	}
	c.sizes[entity] = s
}

// keyList is a read by a list of values of one field, which the API cannot filter.
type keyList struct {
	field string
	keys  []string          // the values as text, in order, without repeats
	set   map[string]string // the values by their lower-case text
}

// keyRead reports whether cond asks for a list of values of one field
// ("f in (…)", or "key eq v" for the entity's key), alone or as a term of a
// top-level "and", that the API's filter style cannot send.
func (c *Client) keyRead(e meta.Entity, ep Endpoint, cond filter.Expr) (keyList, bool) {
	for _, t := range andTerms(cond) {
		var field string
		var lits []filter.Expr
		switch x := t.(type) {
		case *filter.In:
			f, ok := x.X.(*filter.Field)
			if !ok {
				continue
			}
			field, lits = f.Name, x.List
		case *filter.Compare:
			name, lit, op, ok := fieldAndLiteral(x)
			if !ok || op != filter.Eq || name != ep.Key {
				continue
			}
			field, lits = name, []filter.Expr{&filter.Literal{Value: lit}}
		default:
			continue
		}
		kl := keyList{field: field, set: map[string]string{}}
		ok := true
		for _, l := range lits {
			lit, isLit := l.(*filter.Literal)
			if !isLit {
				ok = false
				break
			}
			v, isText := literalText(lit.Value)
			if !isText {
				ok = false
				break
			}
			if _, dup := kl.set[strings.ToLower(v)]; !dup {
				kl.set[strings.ToLower(v)] = v
				kl.keys = append(kl.keys, v)
			}
		}
		if !ok || len(kl.keys) == 0 {
			continue
		}
		if c.settings.Filters == FiltersJSONServer && jsonServerTerm(e, t, url.Values{}) {
			return keyList{}, false // the server filters by the keys itself
		}
		return kl, true
	}
	return keyList{}, false
}

// byItems reports whether a read of n keys of ep's key field GETs each item
// rather than reading the list: when the item path is the API's own, and
// there are few keys, or fewer than the list has pages (as far as an
// unfiltered read of the entity told).
func (c *Client) byItems(ep Endpoint, kl keyList) bool {
	if !ep.itemKnown || kl.field != ep.Key {
		return false
	}
	n := len(kl.keys)
	if n <= fewKeys {
		return true
	}
	c.mu.Lock()
	s, ok := c.sizes[ep.Name]
	c.mu.Unlock()
	if !ok || s.total < 0 {
		return false
	}
	size := ep.Paging.Size
	if s.cap > 0 && s.cap < size {
		size = s.cap
	}
	pages := (s.total + int64(size) - 1) / int64(size)
	return int64(n) <= pages
}

// readKeys reads the page st names of a read by keys the API cannot filter:
// item GETs, one a page (token kind item), or a read of the list that ends
// once every key has come (found counts them; only for the key field, whose
// values are unique).
func (c *Client) readKeys(ctx context.Context, e meta.Entity, ep Endpoint, q connector.Query, cond filter.Expr, lq listQuery, kl keyList, st pageState) (connector.Page, error) {
	if st.first() && c.byItems(ep, kl) {
		st = pageState{kind: tokenItem, value: "0"}
	}
	if st.kind == tokenItem {
		i, _ := strconv.Atoi(st.value)
		if i >= len(kl.keys) {
			return connector.Page{}, connector.ReadErr(q.Entity, fmt.Errorf("page token %q is not valid: start the read again", st.token()))
		}
		page, err := c.readItem(ctx, e, ep, cond, kl.keys[i])
		if err != nil {
			return connector.Page{}, connector.ReadErr(q.Entity, err)
		}
		if i+1 < len(kl.keys) {
			page.Next = pageState{kind: tokenItem, value: strconv.Itoa(i + 1)}.token()
		}
		return page, nil
	}
	lp, err := c.fetchList(ctx, ep, lq, st)
	if err != nil {
		return connector.Page{}, connector.ReadErr(q.Entity, err)
	}
	if lq.base.Encode() == "" && st.first() {
		c.noteSize(q.Entity, lp, ep.Paging.Size)
	}
	page := connector.Page{Total: -1, Request: lp.request}
	found := st.found
	if kl.field == ep.Key {
		for _, r := range lp.raw {
			if v, ok := r[ep.Key]; ok && v != nil {
				if _, hit := kl.set[strings.ToLower(rawText(v))]; hit {
					found++
				}
			}
		}
	}
	if lp.next.kind != "" && (kl.field != ep.Key || found < len(kl.keys)) {
		lp.next.found = found
		page.Next = lp.next.token()
	}
	if page.Records, err = keep(e, cond, lp.raw); err != nil {
		return connector.Page{}, connector.ReadErr(q.Entity, err)
	}
	return page, nil
}

// readItem GETs the record with key text key from ep's item path: a page of
// that record if it meets cond, an empty page if it does not or the API
// answers 404.
func (c *Client) readItem(ctx context.Context, e meta.Entity, ep Endpoint, cond filter.Expr, key string) (connector.Page, error) {
	ref := ep.path(ep.Item, key)
	page := connector.Page{Total: -1}
	if full, err := c.http.Resolve(ref, nil); err == nil {
		page.Request = requestLine(http.MethodGet, full)
	}
	resp, err := c.http.Do(ctx, httpx.Request{URL: ref, Header: http.Header{"Accept": {"application/json"}}})
	if httpx.StatusOf(err) == http.StatusNotFound {
		return page, nil // no such record
	}
	if err != nil {
		return connector.Page{}, err
	}
	where := httpx.RedactURL(resp.URL)
	body, err := decodeJSON(resp.Body)
	if err != nil {
		return connector.Page{}, fmt.Errorf("%w: %s is not JSON (%v): check the item path", ErrBadResponse, where, err)
	}
	obj, ok := body.(map[string]any)
	if ep.Records != "" { // an API that wraps its lists may wrap its items the same way
		if v, found := lookupPath(body, ep.Records); found {
			if o, isObj := v.(map[string]any); isObj {
				obj, ok = o, true
			}
		}
	}
	if !ok {
		return connector.Page{}, fmt.Errorf("%w: %s is not a JSON object: set item to the path of one record", ErrBadResponse, where)
	}
	raw := flatten(obj)
	if got := raw[ep.Key]; got == nil || !strings.EqualFold(rawText(got), key) {
		return connector.Page{}, fmt.Errorf("%w: %s answered the record with %s %s, not %s: set item to the path of one record, and key to its key field",
			ErrBadResponse, where, ep.Key, shortJSON(got), key)
	}
	if page.Records, err = keep(e, cond, []meta.Record{raw}); err != nil {
		return connector.Page{}, err
	}
	return page, nil
}

// shortJSON writes v as JSON for a message.
func shortJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return connector.ShortRequest(string(b))
}

// FilterRoom returns how many characters of filter text a read of q can add
// to its first page's URL and stay within the maxurl setting
// (connector.FilterSizer), with measure counting text as it travels: a list
// of keys "f in (a,b)" goes as "&f=a&f=b" with the json-server filter style,
// so the prefix "f in (" and each "," cost len("&f="), a value its escaped
// length, ")" nothing. With a filter style that cannot send the keys, they
// cost nothing of the URL, and the room is unlimited as long as q fits.
func (c *Client) FilterRoom(ctx context.Context, q connector.Query) (int, func(string) int, error) {
	e, ep, err := c.entity(ctx, q.Entity)
	if err != nil {
		return 0, nil, err
	}
	if q.PageSize > 0 {
		ep.Paging.Size = q.PageSize
	}
	_, lq, _, err := c.plan(e, ep, q)
	if err != nil {
		return 0, nil, err
	}
	req := pageRequest(ep, lq, pageState{})
	full, err := c.http.Resolve(req.URL, req.Query)
	if err != nil {
		return 0, nil, connector.ReadErr(q.Entity, err)
	}
	room := c.settings.MaxURL - len(full) - urlSlack
	if c.settings.Filters != FiltersJSONServer {
		if room < 1 {
			return room, func(s string) int { return len(s) }, nil
		}
		return math.MaxInt32, func(string) int { return 0 }, nil
	}
	return room, keyMeasure(ep.Key), nil
}

// keyMeasure measures filter text as json-server's filter style sends a list
// of values: "f in (" as "&f=" (the field named there; key until then), each
// "," as another "&f=", ")" as nothing, a literal as its escaped value, and
// any other text as its escaped self.
func keyMeasure(key string) func(string) int {
	sep := len("&" + httpx.QueryEscape(key) + "=")
	return func(text string) int {
		switch {
		case text == ",":
			return sep
		case text == ")":
			return 0
		case strings.HasSuffix(text, " in ("):
			sep = len("&" + httpx.QueryEscape(strings.TrimSuffix(text, " in (")) + "=")
			return sep
		}
		if len(text) >= 2 && text[0] == '\'' && text[len(text)-1] == '\'' {
			text = strings.ReplaceAll(text[1:len(text)-1], "''", "'")
		}
		return len(httpx.QueryEscape(text))
	}
}
