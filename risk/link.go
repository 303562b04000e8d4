package risk

import "strings"

// Link is the second subject a complaint names with its primary one when
// the two are plainly one matter told from two sides: an estate and its
// developer or property company (宏昌房地产开发的锦绣华庭). Citizens name
// one or the other; a story naming both is the evidence that ties them.
// ok is false when subjects holds no such pair with primary.
//
// A site and its contractor (鸿运路桥承建的通集高速三标段) are not linked
// yet: on the held-out corpus the link finds four of a lot's five workers,
// the fifth naming the lot without its road (高速公路改扩建三标段), and an
// alert holding part of a group reads as a false one there; linking sites
// waits for lots to be matched by their number within a road.
func Link(subjects []Subject, primary Subject) (Subject, bool) {
	for _, s := range subjects {
		if s.Key != primary.Key && linkable(primary, s) {
			return s, true
		}
	}
	return Subject{}, false
}

// linkable reports whether a and b, in either order, are an estate and
// the firm behind it.
func linkable(a, b Subject) bool {
	firm := func(s Subject) bool { return s.Kind == Employer || propertyCompany(s) }
	return firm(a) && Place(b) || Place(a) && firm(b)
}

// Place reports whether s is the estate of a link, not the firm: the
// linked subjects' cluster goes by the estate, which more citizens name.
func Place(s Subject) bool { return s.Kind == Estate && !propertyCompany(s) }

// propertyCompany reports whether an estate-kind name is the company
// managing estates (恒远物业), not an estate.
func propertyCompany(s Subject) bool {
	return s.Kind == Estate && strings.HasSuffix(s.Name, "物业")
}
