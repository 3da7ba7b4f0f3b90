# cmake -DDOC=page.md -DFILE=source -P shows_file.cmake: fails unless the page shows the
# file as it is (a documented example that drifts from the tested code is a lie).
file(READ ${DOC} page)
file(READ ${FILE} source)
string(FIND "${page}" "${source}" at)
if(at EQUAL -1)
  message(FATAL_ERROR "${DOC} does not show ${FILE} as it is; paste the file into its code block again")
endif()
