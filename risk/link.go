package risk

import "strings"

// Link is the second subject a complaint names with its primary one when
// the two are plainly one matter told from two sides: an estate and its
// developer or property company (宏昌房地产开发的锦绣华庭), a construction
// site or project and the firm working on it (鸿运路桥承建的通集高速三标段).
// Citizens name one or the other; a story naming both is the evidence that
// ties them. ok is false when subjects holds no such pair with primary.
func Link(subjects []Subject, primary Subject) (Subject, bool) {
	for _, s := range subjects {
		if s.Key != primary.Key && linkable(primary, s) {
			return s, true
		}
	}
	return Subject{}, false
}

// linkable reports whether a and b, in either order, are a place and the
// firm behind it.
func linkable(a, b Subject) bool {
	firm := func(s Subject) bool { return s.Kind == Employer || propertyCompany(s) }
	place := func(s Subject) bool { return s.Kind == Site || s.Kind == Estate && !propertyCompany(s) }
	return firm(a) && place(b) || place(a) && firm(b)
}

// propertyCompany reports whether an estate-kind name is the company
// managing estates (恒远物业), not an estate.
func propertyCompany(s Subject) bool {
	return s.Kind == Estate && strings.HasSuffix(s.Name, "物业")
}
