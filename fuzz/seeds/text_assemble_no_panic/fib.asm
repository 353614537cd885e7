# Recursive Fibonacci: fib(20) = 6765 in r0.
entrypoint:
    mov64 r1, 20
    call function_fib
    exit

# fib(r1) -> r0, keeping r6 and r7 (callee-saved)
function_fib:
    mov64 r0, r1
    jlt r1, 2, done
    mov64 r6, r1
    add64 r1, -1
    call function_fib
    mov64 r7, r0
    mov64 r1, r6
    add64 r1, -2
    call function_fib
    add64 r0, r7
done:
    exit
