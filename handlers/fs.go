package handlers

import "io/fs"

// mustSub returns a sub-tree of an embedded file system; the names are
// fixed at build time, so failure is a programming error.
func mustSub(f fs.FS, dir string) fs.FS {
	s, err := fs.Sub(f, dir)
	if err != nil {
		panic(err)
	}
	return s
}
