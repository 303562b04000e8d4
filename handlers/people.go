package handlers

import (
	"context"
	"sync"
	"time"
)

// People's names: the console shows a person's display name (刘和), never
// their login (liuhe), wherever it names someone: who has a case, who
// wrote in a thread, who did what in the audit log. Names are looked up
// here, for every page, from a copy of the users list.

// peopleFresh is how long the copy serves before it is read again. A
// display name changed on another instance shows after that at most; one
// changed here, or a name the copy does not know yet, reads it at once.
// Names only: no access decision is ever taken on this copy.
const peopleFresh = 30 * time.Second

type people struct {
	mu    sync.Mutex
	read  time.Time // on the machine's clock: a cache's age, not a domain time
	names map[string]string
}

// personName is the display name of the user with login name; the login
// itself when the user has none, or is not known (a user removed since).
func (c *Web) personName(name string) string {
	if name == "" {
		return ""
	}
	p := &c.people
	p.mu.Lock()
	shown, ok := p.names[name]
	age := time.Since(p.read)
	p.mu.Unlock()
	// A miss is read again at most once a second: a name that no user
	// has (an old event's) must not cost a store read per page line.
	if ok && age < peopleFresh || !ok && age < time.Second {
		if ok {
			return shown
		}
		return name
	}
	// Read outside the lock: a slow store holds up this page only.
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	users, err := c.Store.Users(ctx)
	if err != nil {
		c.Log.Warn("people: users", "err", err)
		// Try again in a second, not at every name of the page.
		p.mu.Lock()
		p.read = time.Now().Add(time.Second - peopleFresh)
		p.mu.Unlock()
		if ok {
			return shown
		}
		return name
	}
	names := make(map[string]string, len(users))
	for _, u := range users {
		names[u.Name] = u.Shown()
	}
	p.mu.Lock()
	p.names, p.read = names, time.Now()
	p.mu.Unlock()
	if shown, ok := names[name]; ok {
		return shown
	}
	return name
}

// forgetPeople makes the next name read the users again (a user was
// added or renamed here).
func (c *Web) forgetPeople() {
	c.people.mu.Lock()
	c.people.read = time.Time{}
	c.people.names = nil
	c.people.mu.Unlock()
}

// day shows a date with its year, in China time (a token's expiry may be
// next year).
func day(t time.Time) string { return t.In(chinaTime).Format("2006-01-02 15:04") }
