add64 r10, -128
mov64 r6, r10
call function_f
sub64 r0, r6
exit
function_f:
mov64 r0, r10
exit
