# install.cmake - what `cmake --install` puts where, and the setuid mode of
# the wrapper.  Included at the end of the top CMakeLists.txt, after the
# cgijail and cgijail-check targets exist.
#
# Installed (relative paths below CMAKE_INSTALL_PREFIX; DESTDIR honoured):
#   <CGIJAIL_INSTALL_LIBEXECDIR>/cgijail        4754 root:<CGIJAIL_INSTALL_GROUP>
#   <CGIJAIL_INSTALL_LIBEXECDIR>/cgijail-cgroup-holder            0755
#   CGIJAIL_ZYGOTE (<CGIJAIL_INSTALL_LIBEXECDIR>/cgijail-zygote.py) 0644
#   sbin/cgijail-check                                            0755
#   share/man/man5/cgijail.conf.5, share/man/man8/cgijail.8, cgijail-check.8
#   share/doc/cgijail/README.md, SECURITY.md, cgroups.md, warm-mode.md
#   <CGIJAIL_INSTALL_SYSTEMDUNITDIR>/cgijail.service   (unless empty)
#   <CGIJAIL_INSTALL_TMPFILESDIR>/cgijail.conf         (unless empty)
#   <CGIJAIL_INSTALL_LOGROTATEDIR>/cgijail             (with a log directory)
# and the directories the compiled-in paths name:
#   CGIJAIL_CONFIG_DIR/cgijail.conf   the policy, only when there is none yet
#   CGIJAIL_CONFIG_DIR/users.d/       0755
#   CGIJAIL_STATE_DIR/                0755 (cgijail creates tmp/ in it)
#   CGIJAIL_INSTALL_LOGDIR/           0755 (unless empty; the policy's log_file,
#                                     which cgijail creates root-owned 0600)
# CGIJAIL_RUN_DIR (under /run, a tmpfs) is created by cgijail itself, and
# by systemd-tmpfiles at boot where the tmpfiles.d entry is installed.
#
# The wrapper: the old file is removed first (a running request keeps its
# inode; nothing writes into a setuid file), the new one is copied 0754, then
# chown root:<group> and only then chmod 4754 (chown clears the setuid bit),
# and the result is checked.  Without root, or when the group does not exist,
# the install is refused before anything is copied, unless
# -DCGIJAIL_INSTALL_SETUID=OFF says that the packager sets owners and modes
# (the Debian and RPM packages do).

include(GNUInstallDirs)

set(CGIJAIL_INSTALL_LIBEXECDIR "lib/cgijail" CACHE STRING
    "Directory of the setuid wrapper and the cgroup holder, relative to the prefix or absolute (Debian: lib/cgijail, Fedora: libexec/cgijail)")
set(CGIJAIL_INSTALL_GROUP "www-data" CACHE STRING
    "Group of the setuid wrapper (mode 4754): the web server's group, the only one that may run it")
set(CGIJAIL_INSTALL_CALLER "" CACHE STRING
    "caller = in the installed policy: the web server's user (empty: the same name as CGIJAIL_INSTALL_GROUP)")
option(CGIJAIL_INSTALL_SETUID
  "Make the installed wrapper 4754 root:CGIJAIL_INSTALL_GROUP (needs root); OFF when a packager sets modes itself"
  ON)
set(CGIJAIL_INSTALL_LOGDIR "/var/log/cgijail" CACHE PATH
    "Directory of the installed policy's log_file; empty: no log_file, syslog only")
set(CGIJAIL_INSTALL_LOGROTATEDIR "/etc/logrotate.d" CACHE PATH
    "Where the logrotate entry for the log_file goes (with CGIJAIL_INSTALL_LOGDIR); empty: not installed")
set(CGIJAIL_INSTALL_SYSTEMDUNITDIR "lib/systemd/system" CACHE STRING
    "Where cgijail.service goes (relative to the prefix, or absolute); empty: not installed")
set(CGIJAIL_INSTALL_TMPFILESDIR "lib/tmpfiles.d" CACHE STRING
    "Where the tmpfiles.d entry for CGIJAIL_RUN_DIR goes (relative to the prefix, or absolute); empty: not installed")

# cgroup_parent of the installed policy: systemd on cgroup v2 needs the
# delegated subtree of cgijail.service (docs/cgroups.md); elsewhere cgijail
# uses its own top-level cgroup.  Detected on the build host unless given.
if(EXISTS "/run/systemd/system" AND EXISTS "/sys/fs/cgroup/cgroup.controllers")
  set(_cj_cgroup_parent_default "system.slice/cgijail.service/requests")
else()
  set(_cj_cgroup_parent_default "cgijail")
endif()
set(CGIJAIL_INSTALL_CGROUP_PARENT "${_cj_cgroup_parent_default}" CACHE STRING
    "[sandbox] cgroup_parent in the installed policy (systemd on cgroup v2: system.slice/cgijail.service/requests)")

if(CGIJAIL_INSTALL_CALLER)
  set(_cj_caller "${CGIJAIL_INSTALL_CALLER}")
else()
  set(_cj_caller "${CGIJAIL_INSTALL_GROUP}")
endif()
foreach(_cj_name IN ITEMS "${CGIJAIL_INSTALL_GROUP}" "${_cj_caller}")
  if(NOT _cj_name MATCHES "^[a-z_][a-z0-9_-]*$")
    message(FATAL_ERROR "CGIJAIL_INSTALL_GROUP and CGIJAIL_INSTALL_CALLER must be user or group names, not '${_cj_name}'")
  endif()
endforeach()
if(CGIJAIL_INSTALL_LOGDIR AND NOT CGIJAIL_INSTALL_LOGDIR MATCHES "^/[^#]*[^/#]$")
  message(FATAL_ERROR "CGIJAIL_INSTALL_LOGDIR must be an absolute path without '#' or a trailing '/'")
endif()
if(NOT CGIJAIL_INSTALL_CGROUP_PARENT MATCHES "^[A-Za-z_][A-Za-z0-9_.-]*(/[A-Za-z_][A-Za-z0-9_.-]*)*$")
  message(FATAL_ERROR "CGIJAIL_INSTALL_CGROUP_PARENT is not a valid cgroup_parent: '${CGIJAIL_INSTALL_CGROUP_PARENT}'")
endif()

if(IS_ABSOLUTE "${CGIJAIL_INSTALL_LIBEXECDIR}")
  set(_cj_libexec_full "${CGIJAIL_INSTALL_LIBEXECDIR}")
else()
  set(_cj_libexec_full "${CMAKE_INSTALL_PREFIX}/${CGIJAIL_INSTALL_LIBEXECDIR}")
endif()

# ---- generated files: the policy, the unit, the tmpfiles.d entry ------------

set(_cj_gen "${CMAKE_BINARY_DIR}/install")
set(CGIJAIL_CONF_CALLER "${_cj_caller}")
set(CGIJAIL_CONF_CGROUP_PARENT "${CGIJAIL_INSTALL_CGROUP_PARENT}")
if(CGIJAIL_INSTALL_LOGDIR)
  set(CGIJAIL_CONF_LOG_FILE "log_file = ${CGIJAIL_INSTALL_LOGDIR}/cgijail.log")
else()
  set(CGIJAIL_CONF_LOG_FILE "log_file =")
endif()
configure_file("${CMAKE_CURRENT_LIST_DIR}/../packaging/cgijail.conf.in"
               "${_cj_gen}/cgijail.conf" @ONLY)
if(CGIJAIL_INSTALL_LOGDIR)
  configure_file("${CMAKE_CURRENT_LIST_DIR}/../packaging/cgijail.logrotate.in"
                 "${_cj_gen}/logrotate" @ONLY)
endif()

# The unit names the holder and the documentation by their Debian paths;
# rewrite them for this install's layout, and fail if they moved.
file(READ "${CMAKE_CURRENT_LIST_DIR}/../packaging/systemd/cgijail.service" _cj_unit)
foreach(_cj_pair IN ITEMS
    "/usr/lib/cgijail/cgijail-cgroup-holder|${_cj_libexec_full}/cgijail-cgroup-holder"
    "/usr/share/doc/cgijail/cgroups.md|${CMAKE_INSTALL_FULL_DOCDIR}/cgroups.md")
  string(REPLACE "|" ";" _cj_pair "${_cj_pair}")
  list(GET _cj_pair 0 _cj_from)
  list(GET _cj_pair 1 _cj_to)
  string(FIND "${_cj_unit}" "${_cj_from}" _cj_at)
  if(_cj_at LESS 0)
    message(FATAL_ERROR "install.cmake: packaging/systemd/cgijail.service no longer mentions ${_cj_from}")
  endif()
  string(REPLACE "${_cj_from}" "${_cj_to}" _cj_unit "${_cj_unit}")
endforeach()
file(GENERATE OUTPUT "${_cj_gen}/cgijail.service" CONTENT "${_cj_unit}")

file(GENERATE OUTPUT "${_cj_gen}/tmpfiles.conf" CONTENT
"# cgijail's concurrency slot locks (<user>/slot.N).  cgijail creates and
# checks this directory itself (root-owned, not writable by group or other);
# this entry only creates it at boot.
d ${CGIJAIL_RUN_DIR} 0755 root root -
")

# ---- the install rules, in the order they run ---------------------------------

# 1. Refuse a setuid install that cannot be done right, before copying anything.
install(CODE "set(_cj_prefix \"${CMAKE_INSTALL_PREFIX}\")
set(_cj_group \"${CGIJAIL_INSTALL_GROUP}\")
set(_cj_setuid \"${CGIJAIL_INSTALL_SETUID}\")
set(_cj_wrapper \"${_cj_libexec_full}/cgijail\")
set(_cj_config_dir \"${CGIJAIL_CONFIG_DIR}\")
set(_cj_state_dir \"${CGIJAIL_STATE_DIR}\")
set(_cj_log_dir \"${CGIJAIL_INSTALL_LOGDIR}\")
set(_cj_conf_src \"${_cj_gen}/cgijail.conf\")")
install(CODE [==[
function(_cj_run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    string(REPLACE ";" " " cmd "${ARGN}")
    message(FATAL_ERROR "cgijail: '${cmd}' failed (${rc}): ${err}")
  endif()
endfunction()
# The unit names the holder by its path under the configured prefix.
if(NOT CMAKE_INSTALL_PREFIX STREQUAL _cj_prefix)
  message(FATAL_ERROR "cgijail: the install prefix is fixed when configuring "
    "(${_cj_prefix}, written into cgijail.service); reconfigure with "
    "-DCMAKE_INSTALL_PREFIX=${CMAKE_INSTALL_PREFIX} instead of --prefix.")
endif()
if(_cj_setuid)
  execute_process(COMMAND id -u OUTPUT_VARIABLE _cj_uid OUTPUT_STRIP_TRAILING_WHITESPACE
                  RESULT_VARIABLE _cj_rc)
  if(NOT _cj_rc EQUAL 0 OR NOT _cj_uid STREQUAL "0")
    message(FATAL_ERROR "cgijail: refusing to install a setuid wrapper without root "
      "privileges (cmake --install runs as uid '${_cj_uid}'). Run it as root, or "
      "configure with -DCGIJAIL_INSTALL_SETUID=OFF and set the wrapper to 4754 "
      "root:${_cj_group} yourself (packages do).")
  endif()
  execute_process(COMMAND getent group "${_cj_group}" OUTPUT_QUIET ERROR_QUIET
                  RESULT_VARIABLE _cj_rc)
  if(NOT _cj_rc EQUAL 0)
    message(FATAL_ERROR "cgijail: refusing to install a setuid wrapper without the "
      "group '${_cj_group}' (CGIJAIL_INSTALL_GROUP: the web server's group, the only "
      "one that may execute it) on this system. Create it, configure with "
      "-DCGIJAIL_INSTALL_GROUP=<the web server's group>, or with "
      "-DCGIJAIL_INSTALL_SETUID=OFF set the mode yourself.")
  endif()
endif()
# Never write into the old (setuid) file: remove it, the copy is a new inode.
if(EXISTS "$ENV{DESTDIR}${_cj_wrapper}" OR IS_SYMLINK "$ENV{DESTDIR}${_cj_wrapper}")
  file(REMOVE "$ENV{DESTDIR}${_cj_wrapper}")
endif()
]==])

# 2. The binaries, the holder, man pages, documentation.
install(TARGETS cgijail RUNTIME DESTINATION "${CGIJAIL_INSTALL_LIBEXECDIR}"
        PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE
                    WORLD_READ)
install(TARGETS cgijail-check RUNTIME DESTINATION "${CMAKE_INSTALL_SBINDIR}")
install(PROGRAMS packaging/systemd/cgijail-cgroup-holder
        DESTINATION "${CGIJAIL_INSTALL_LIBEXECDIR}")
# Warm mode's zygote program: where CGIJAIL_ZYGOTE (compiled in) says.
get_filename_component(_cj_zygote_dir "${CGIJAIL_ZYGOTE}" DIRECTORY)
get_filename_component(_cj_zygote_name "${CGIJAIL_ZYGOTE}" NAME)
install(FILES zygote/cgijail-zygote.py DESTINATION "${_cj_zygote_dir}"
        RENAME "${_cj_zygote_name}"
        PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
install(FILES docs/warm-mode.md DESTINATION "${CMAKE_INSTALL_DOCDIR}")
install(FILES docs/man/cgijail.conf.5 DESTINATION "${CMAKE_INSTALL_MANDIR}/man5")
install(FILES docs/man/cgijail.8 docs/man/cgijail-check.8
        DESTINATION "${CMAKE_INSTALL_MANDIR}/man8")
install(FILES README.md SECURITY.md docs/cgroups.md DESTINATION "${CMAKE_INSTALL_DOCDIR}")
if(CGIJAIL_INSTALL_SYSTEMDUNITDIR)
  install(FILES "${_cj_gen}/cgijail.service" DESTINATION "${CGIJAIL_INSTALL_SYSTEMDUNITDIR}")
endif()
if(CGIJAIL_INSTALL_LOGDIR AND CGIJAIL_INSTALL_LOGROTATEDIR)
  install(FILES "${_cj_gen}/logrotate" DESTINATION "${CGIJAIL_INSTALL_LOGROTATEDIR}"
          RENAME cgijail)
endif()
if(CGIJAIL_INSTALL_TMPFILESDIR)
  install(FILES "${_cj_gen}/tmpfiles.conf" DESTINATION "${CGIJAIL_INSTALL_TMPFILESDIR}"
          RENAME cgijail.conf)
endif()

# 3. The wrapper's owner and mode (chown first: it clears the setuid bit),
#    the policy when there is none, the directories.
install(CODE [==[
set(_cj_dest "$ENV{DESTDIR}${_cj_wrapper}")
if(_cj_setuid)
  _cj_run(chown "root:${_cj_group}" "${_cj_dest}")
  _cj_run(chmod 4754 "${_cj_dest}")
  execute_process(COMMAND stat -c "%a %U %G" "${_cj_dest}" OUTPUT_VARIABLE _cj_st
                  OUTPUT_STRIP_TRAILING_WHITESPACE)
  if(NOT _cj_st STREQUAL "4754 root ${_cj_group}")
    message(FATAL_ERROR "cgijail: ${_cj_dest} is '${_cj_st}', not '4754 root ${_cj_group}'")
  endif()
  message(STATUS "Setuid: ${_cj_dest} (4754 root:${_cj_group})")
else()
  message(STATUS "Not setuid (CGIJAIL_INSTALL_SETUID=OFF): ${_cj_dest} is 0754; "
    "the packager sets 4754 root:${_cj_group}")
endif()

# Policy and directories: root-owned and not writable by group or other, as
# cgijail requires (when not installing as root, the packager sets owners).
foreach(_cj_dir "${_cj_config_dir}" "${_cj_config_dir}/users.d" "${_cj_state_dir}" "${_cj_log_dir}")
  if(_cj_dir)
    file(MAKE_DIRECTORY "$ENV{DESTDIR}${_cj_dir}")
    _cj_run(chmod 0755 "$ENV{DESTDIR}${_cj_dir}")
  endif()
endforeach()
set(_cj_conf "$ENV{DESTDIR}${_cj_config_dir}/cgijail.conf")
if(EXISTS "${_cj_conf}" OR IS_SYMLINK "${_cj_conf}")
  message(STATUS "Kept: ${_cj_conf} (the new default policy is ${_cj_conf_src})")
else()
  # file(INSTALL) adds DESTDIR itself.
  file(INSTALL "${_cj_conf_src}" DESTINATION "${_cj_config_dir}"
       FILE_PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
endif()
]==])
