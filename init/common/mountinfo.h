/* SPDX-License-Identifier: MIT */
#pragma once

/* /proc/self/mountinfo writes space, tab, newline and backslash in paths as
 * \ooo (three octal digits: \040 \011 \012 \134). Decodes s in place; a
 * backslash not followed by three octal digits of a byte (\000 to \377)
 * stays as it is. */
void mountinfo_unescape(char *s);
