package app

import (
	"net/url"
	"testing"

	"kimibv/models/calls"
)

func TestPageLinks(t *testing.T) {
	t.Parallel()
	filter := url.Values{"kreis": {"musterland"}, "status": {""}}
	for _, c := range []struct {
		page, pages int
		q           url.Values
		prev, next  string
	}{
		{1, 1, filter, "", ""},
		{1, 3, filter, "", "/x?kreis=musterland&seite=2"},
		{2, 3, filter, "/x?kreis=musterland&seite=1", "/x?kreis=musterland&seite=3"},
		{3, 3, url.Values{"kreis": {"a b"}, "status": {"published"}}, "/x?kreis=a+b&seite=2&status=published", ""},
		{1, 0, nil, "", ""}, // an empty list has no pages
	} {
		prev, next := pageLinks("/x", c.q, calls.ListPage{Page: c.page, Pages: c.pages})
		if prev != c.prev || next != c.next {
			t.Errorf("page %d of %d, %v: got %q, %q; want %q, %q", c.page, c.pages, c.q, prev, next, c.prev, c.next)
		}
	}
}
