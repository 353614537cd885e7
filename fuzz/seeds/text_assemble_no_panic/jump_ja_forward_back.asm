mov64 r0, 0
ja +1
add64 r0, 100
add64 r0, 1
jlt r0, 5, -2
exit
