# Turns a text file into a C array (NUL-terminated), so the binary carries its built-in data.
# cmake -DIN=file -DOUT=file.c -DNAME=symbol -P embed.cmake
file(READ "${IN}" hex HEX)
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," body "${hex}")
file(WRITE "${OUT}" "/* Generated from ${IN} at build time; edit that file, not this one. */\n"
     "const char ${NAME}[] = {${body}0};\n")
