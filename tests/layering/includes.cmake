# includes.cmake — refuses a header included by a relative path (#include "../store/store.h"):
# the compiler looks next to the including file first, so such an include passes the include
# roots that hold the module graph (TeselasModules.cmake) and the graph stops being what the
# build checks. Headers are named from their module's root ("store/store.h") or by bare name.
#   cmake -DROOT=<dir> -DDIRS="a;b" [-DEXCLUDE=<regex>] -P includes.cmake
# Fails naming each file and line; passes silently otherwise.
set(bad)
foreach(d ${DIRS})
  file(GLOB_RECURSE files ${ROOT}/${d}/*.c ${ROOT}/${d}/*.h)
  foreach(f ${files})
    if(f MATCHES "/node_modules/" OR (DEFINED EXCLUDE AND NOT EXCLUDE STREQUAL "" AND
                                      f MATCHES "${EXCLUDE}"))
      continue()
    endif()
    file(STRINGS ${f} lines REGEX "^[ \t]*#[ \t]*include[ \t]*\"\\.\\.?/")
    foreach(l ${lines})
      file(RELATIVE_PATH rel ${ROOT} ${f})
      list(APPEND bad "${rel}: ${l}")
    endforeach()
  endforeach()
endforeach()
if(bad)
  list(JOIN bad "\n  " text)
  message(FATAL_ERROR "relative include (name the header from its module's root):\n  ${text}")
endif()
