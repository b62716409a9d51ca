# What `cmake --graphviz` draws (scripts/module-graph.sh -> docs/modules.dot, docs/modules.svg):
# the module libraries, the binary and the system libraries they link; not the tests.
set(GRAPHVIZ_GRAPH_NAME "teselas")
set(GRAPHVIZ_GENERATE_PER_TARGET FALSE)
set(GRAPHVIZ_GENERATE_DEPENDERS FALSE)
set(GRAPHVIZ_OBJECT_LIBS FALSE)
set(GRAPHVIZ_IGNORE_TARGETS "^unit_" "^fuzz_" "^layering_" "^teselas_lib$" "^teselas_leon_definitions$"
  "^Threads::Threads$" "^m$" "CMOCKA" "^/" "^-[lL]")
