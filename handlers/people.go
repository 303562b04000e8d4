package handlers

import "jiefen/store"

// personName is how a console user is named to colleagues (who else has a
// case open): the one place to change when users get display names.
func personName(u store.User) string { return u.Name }
