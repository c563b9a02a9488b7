/* lua_scripts.h — the Lua scripts' texts, embedded at build time.
 *
 * $(B)/server/lua_scripts.c is generated from the files of server/lua/
 * by scripts/embed-lua (server/module.mk): entry SCRIPT_<NAME> is
 * server/lua/<name>.lua after the preludes its header names, byte for
 * byte what is sent to Redis.  An id without a file is NULL.  Only
 * scripts.c reads these arrays.
 */
#ifndef COACHNET_SERVER_LUA_SCRIPTS_H
#define COACHNET_SERVER_LUA_SCRIPTS_H

#include "server/methods.h"

extern const char *const lua_script_text[SCRIPT__COUNT];
extern const char *const lua_script_name[SCRIPT__COUNT]; /* "<name>" of <name>.lua */

#endif
