# graph.cmake — the module graph drawn in README.md (docs/modules.dot) is the one the build
# declares: configures a scratch tree, asks it for `cmake --graphviz`, and compares.
#   cmake -DSOURCE_DIR=... -DWORK_DIR=... -P graph.cmake
file(REMOVE_RECURSE ${WORK_DIR})
execute_process(COMMAND ${CMAKE_COMMAND} -S ${SOURCE_DIR} -B ${WORK_DIR} -DTESELAS_WEB=OFF
  --graphviz=${WORK_DIR}/teselas.dot RESULT_VARIABLE rc OUTPUT_QUIET ERROR_VARIABLE out)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "configuring a scratch tree failed:\n${out}")
endif()
file(READ ${WORK_DIR}/teselas.dot now)
file(READ ${SOURCE_DIR}/docs/modules.dot committed)
file(REMOVE_RECURSE ${WORK_DIR})
if(NOT now STREQUAL committed)
  message(FATAL_ERROR "docs/modules.dot differs from the graph the build declares: run "
    "scripts/module-graph.sh and commit docs/modules.dot and docs/modules.svg")
endif()
message(STATUS "docs/modules.dot is the declared module graph")
