package store

import "sync"

// Notice says that a case was made or changed (a status, an event in its
// thread). Listeners such as the console read the case to see what.
type Notice struct {
	CaseID string `json:"case"`
	New    bool   `json:"new,omitempty"`  // the case was just made
	Left   string `json:"left,omitempty"` // the body the case just left (a transfer)
}

// Notices lists what a committed Change tells listeners: one Notice per
// case it made or touched, in the order first met.
func (c Change) Notices() []Notice {
	var out []Notice
	seen := map[string]bool{}
	add := func(id string, isNew bool) {
		if id == "" || seen[id] {
			return
		}
		seen[id] = true
		out = append(out, Notice{CaseID: id, New: isNew})
	}
	for _, k := range c.NewCases {
		add(k.ID, true)
	}
	for _, s := range c.Statuses {
		add(s.CaseID, false)
	}
	for _, id := range c.MarkUrgent {
		add(id, false)
	}
	for _, a := range c.Assign {
		add(a.CaseID, false)
	}
	for _, tr := range c.Transfers {
		add(tr.CaseID, false)
		for i := range out {
			if out[i].CaseID == tr.CaseID && tr.From != "" {
				out[i].Left = tr.From
			}
		}
	}
	for _, v := range c.Video {
		add(v.CaseID, false)
	}
	for _, r := range c.Retype {
		add(r.CaseID, false)
	}
	for _, u := range c.Updates {
		add(u.CaseID, false)
	}
	for _, e := range c.Events {
		add(e.CaseID, false)
	}
	return out
}

// Fanout hands notices to in-process subscribers, for a store whose
// commits all happen in this process. Publish never blocks: a subscriber
// whose buffer is full misses the notice.
type Fanout struct {
	mu   sync.Mutex
	subs map[chan Notice]struct{}
}

// fanoutBuffer is how many notices a subscriber may fall behind.
const fanoutBuffer = 256

// Subscribe returns a channel of notices, closed when done is closed.
func (f *Fanout) Subscribe(done <-chan struct{}) <-chan Notice {
	ch := make(chan Notice, fanoutBuffer)
	f.mu.Lock()
	if f.subs == nil {
		f.subs = map[chan Notice]struct{}{}
	}
	f.subs[ch] = struct{}{}
	f.mu.Unlock()
	go func() {
		<-done
		f.mu.Lock()
		delete(f.subs, ch)
		close(ch)
		f.mu.Unlock()
	}()
	return ch
}

// Publish hands ns to every subscriber.
func (f *Fanout) Publish(ns []Notice) {
	if len(ns) == 0 {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for ch := range f.subs {
		for _, n := range ns {
			select {
			case ch <- n:
			default:
			}
		}
	}
}
