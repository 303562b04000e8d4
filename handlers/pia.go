package handlers

import (
	"bytes"
	"net/http"

	"jiefen/store"
)

// piaDownload gives an administrator the facts for the personal-information
// impact assessment (个人信息保护法 第五十五条) as a Markdown file: the same
// text as `jiefen pia`, for this deployment. Like every export it is
// recorded, and refused when it cannot be.
func (c *admin) piaDownload(w http.ResponseWriter, r *http.Request) error {
	if current(r).Role != store.RoleAdmin {
		return httpError{http.StatusForbidden, "个人信息保护影响评估材料仅供管理员下载。"}
	}
	if c.PIA == nil {
		return httpError{http.StatusNotFound, "未提供个人信息保护影响评估材料。"}
	}
	var buf bytes.Buffer
	if err := c.PIA(r.Context(), &buf); err != nil {
		return err
	}
	if err := c.recordAccess(r, store.AuditExport, "", "pia.md"); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/markdown; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="jiefen-pia.md"`)
	w.Header().Set("Cache-Control", "no-store")
	_, err := w.Write(buf.Bytes())
	return err
}
