package store

import "sync"

// Notice says that a case was made or changed (a status, an event in its
// thread). Listeners such as the console read the case to see what.
type Notice struct {
	CaseID string `json:"case"`
	New    bool   `json:"new,omitempty"`  // the case was just made
	Left   string `json:"left,omitempty"` // the body the case just left (a transfer)
	// Presence: who has the case open in the console changed (Presence
	// in presence.go); the case itself did not.
	Presence bool `json:"presence,omitempty"`
	// Alert is set (and CaseID empty) when a risk alert was opened or
	// changed (Risk.SaveAlert).
	Alert string `json:"alert,omitempty"`
}

// Notices lists what a committed Change tells listeners: one Notice per
// case it made or touched, in the order first met (NoticesOf its Ops).
func (c Change) Notices() []Notice { return NoticesOf(c.Ops()) }

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
