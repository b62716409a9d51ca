# TeselasOutputId.cmake — run at build time (cmake -P) to write the output id: eight hex digits
# of a SHA-256 over the sources that shape the bytes of tiles, images, archives and data answers
# (the list tileserver/core/CMakeLists.txt writes), so that a build that would answer otherwise
# gives them new ETags and new ?v= URLs: a cached answer of an older build is never kept as
# current by a browser or a CDN. Two builds of the same sources get the same id, so the servers
# of one deployment agree; a change to other modules (the admin pages, accounts) keeps it.
#
#   cmake -DROOT=<source root> -DLIST=<file of paths, one a line> -DOUT=<file.c> -P TeselasOutputId.cmake
file(STRINGS ${LIST} files)
set(acc "")
foreach(f ${files})
  file(SHA256 ${f} h)
  file(RELATIVE_PATH rel ${ROOT} ${f})
  string(APPEND acc "${rel} ${h}\n")
endforeach()
string(SHA256 id "${acc}")
string(SUBSTRING ${id} 0 8 id)
file(WRITE ${OUT} "/* Written at build time by cmake/TeselasOutputId.cmake. */\n"
  "#include \"core/output_id.h\"\n"
  "const char TESELAS_OUTPUT_ID[] = \"${id}\";\n")
