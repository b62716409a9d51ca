# TeselasOutputId.cmake — run at build time (cmake -P) to write the output id: eight hex digits
# of a SHA-256 over the server's sources, so that any change to the code that makes tiles and
# images gives them new ETags and new ?v= URLs (a cached answer of an older build is never kept
# as current by a browser or a CDN). Two builds of the same sources get the same id, so the
# servers of one deployment agree.
#
#   cmake -DROOT=<source root> -DOUT=<file.c> -P TeselasOutputId.cmake
file(GLOB_RECURSE files RELATIVE ${ROOT} ${ROOT}/tileserver/*.c ${ROOT}/tileserver/*.h)
list(SORT files)
set(acc "")
foreach(f ${files})
  file(SHA256 ${ROOT}/${f} h)
  string(APPEND acc "${f} ${h}\n")
endforeach()
string(SHA256 id "${acc}")
string(SUBSTRING ${id} 0 8 id)
file(WRITE ${OUT} "/* Written at build time by cmake/TeselasOutputId.cmake. */\n"
  "#include \"core/output_id.h\"\n"
  "const char TESELAS_OUTPUT_ID[] = \"${id}\";\n")
