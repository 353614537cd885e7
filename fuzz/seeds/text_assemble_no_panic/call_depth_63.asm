mov64 r1, 62
call function_r
exit
function_r:
mov64 r0, r1
jeq r1, 0, +2
add64 r1, -1
call function_r
exit
